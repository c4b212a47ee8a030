import type { types } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { BLOCKS, MODAL } from '../../src/slack/ids.js';
import { findViewLimitViolations } from '../../src/slack/render/limits.js';
import { renderModal } from '../../src/slack/render/modal.js';

const REGIONS = ['cn-beijing', 'cn-shanghai', 'cn-guangzhou'];

const inputs = (view: ReturnType<typeof renderModal>) =>
  view.blocks.filter((b): b is types.InputBlock => b.type === 'input');

/** The values offered by the region select. */
function regionValues(view: ReturnType<typeof renderModal>): string[] {
  const element = inputs(view).find((b) => b.block_id === BLOCKS.region)?.element;
  if (element?.type !== 'static_select') throw new Error('region is not a static select');
  return (element.options ?? []).map((o) => o.value ?? '');
}

describe('renderModal', () => {
  it('builds the request form with the contract ids', () => {
    const view = renderModal({
      channelId: 'C01CHANNEL',
      defaultRegion: 'cn-shanghai',
      regions: REGIONS,
      sandbox: false,
    });
    expect(findViewLimitViolations(view)).toEqual([]);
    expect(view.type).toBe('modal');
    expect(view.callback_id).toBe(MODAL.callbackId);
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({ channelId: 'C01CHANNEL' });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.submit?.text).toBeTruthy();
    expect(view.close?.text).toBeTruthy();
    expect(JSON.stringify(view)).not.toContain('SANDBOX');

    const [instances, keyPair, region] = inputs(view);
    expect(instances).toMatchObject({
      block_id: BLOCKS.instances,
      element: { type: 'plain_text_input', action_id: MODAL.instancesAction, multiline: true },
    });
    expect(keyPair).toMatchObject({
      block_id: BLOCKS.keyPair,
      element: { type: 'plain_text_input', action_id: MODAL.keyPairAction },
    });
    expect(JSON.stringify(keyPair)).toMatch(/name, or an id starting with kp-/);
    expect(region).toMatchObject({
      block_id: BLOCKS.region,
      element: {
        type: 'static_select',
        action_id: MODAL.regionAction,
        initial_option: { value: 'cn-shanghai' },
      },
    });
    expect(regionValues(view)).toEqual(REGIONS);
  });

  it('offers and preselects a default region that is not in the list', () => {
    const view = renderModal({
      channelId: 'C1',
      defaultRegion: 'cn-beijing-autodriving',
      regions: REGIONS,
      sandbox: false,
    });
    const region = inputs(view)[2];
    expect(region).toMatchObject({
      element: { initial_option: { value: 'cn-beijing-autodriving' } },
    });
    expect(JSON.stringify(region).match(/"value":"cn-beijing-autodriving"/g)).toHaveLength(2);
    expect(findViewLimitViolations(view)).toEqual([]);
  });

  it('keeps the select within 100 unique options', () => {
    const many = [...Array.from({ length: 150 }, (_, i) => `xx-region${i}`), 'xx-region1'];
    const view = renderModal({
      channelId: 'C1',
      defaultRegion: 'xx-region1',
      regions: many,
      sandbox: false,
    });
    expect(findViewLimitViolations(view)).toEqual([]);
    const values = regionValues(view);
    expect(values).toHaveLength(100);
    expect(new Set(values).size).toBe(100);
    expect(values[0]).toBe('xx-region0');
    // a default that the cut would drop moves to the front instead
    const late = renderModal({
      channelId: 'C1',
      defaultRegion: 'xx-region140',
      regions: many,
      sandbox: false,
    });
    expect(findViewLimitViolations(late)).toEqual([]);
    expect(regionValues(late)).toHaveLength(100);
    expect(regionValues(late)[0]).toBe('xx-region140');
    expect(inputs(late)[2]).toMatchObject({
      element: { initial_option: { value: 'xx-region140' } },
    });
  });

  it('says SANDBOX in sandbox mode', () => {
    const view = renderModal({
      channelId: 'C1',
      defaultRegion: 'cn-beijing',
      regions: REGIONS,
      sandbox: true,
    });
    expect(findViewLimitViolations(view)).toEqual([]);
    expect(view.title.text).toMatch(/sandbox/i);
    expect(JSON.stringify(view.blocks)).toContain('SANDBOX');
    expect(inputs(view).map((b) => b.block_id)).toEqual([
      BLOCKS.instances,
      BLOCKS.keyPair,
      BLOCKS.region,
    ]);
  });

  it('lets the view checker catch a broken view', () => {
    const view = renderModal({
      channelId: 'C1',
      defaultRegion: 'cn-beijing',
      regions: REGIONS,
      sandbox: false,
    });
    const broken = {
      ...view,
      title: { type: 'plain_text' as const, text: 'x'.repeat(25) },
      submit: undefined,
    };
    expect(findViewLimitViolations(broken).join()).toMatch(/title.*submit/s);
  });
});
