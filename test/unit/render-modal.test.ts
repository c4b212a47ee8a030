import type { types } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import type { InstanceSnapshot } from '../../src/domain/request.js';
import { en } from '../../src/slack/i18n/en.js';
import { zh } from '../../src/slack/i18n/zh.js';
import { BLOCKS, HINT_VALUE, MODAL, pickerActionId, pickerRegion } from '../../src/slack/ids.js';
import { findViewLimitViolations, SLACK_LIMITS } from '../../src/slack/render/limits.js';
import { readModalMetadata, renderModal } from '../../src/slack/render/modal.js';
import {
  instanceOption,
  keyPairOption,
  renderInstanceOptions,
  renderKeyPairOptions,
} from '../../src/slack/render/picker-options.js';
import { retryForm } from '../../src/slack/retry-prefill.js';
import { doneStep, makeRequest } from '../support/request-fixtures.js';

const REGIONS = ['cn-beijing', 'cn-shanghai', 'cn-guangzhou'];
const base = { defaultRegion: 'cn-shanghai', regions: REGIONS, sandbox: false };

const inputs = (view: types.ModalView) =>
  view.blocks.filter((b): b is types.InputBlock => b.type === 'input');
const input = (view: types.ModalView, blockId: string) =>
  inputs(view).find((b) => b.block_id === blockId);

/** The values offered by the region select. */
function regionValues(view: types.ModalView): string[] {
  const element = input(view, BLOCKS.region)?.element;
  if (element?.type !== 'static_select') throw new Error('region is not a static select');
  return (element.options ?? []).map((o) => o.value ?? '');
}

const snapshot = (over: Partial<InstanceSnapshot> = {}): InstanceSnapshot => ({
  instanceId: 'i-3tiefmkskq3vj0example',
  name: 'web-01',
  status: 'RUNNING',
  osType: 'Linux',
  keyPairName: 'ops-key',
  tags: [],
  ...over,
});

describe('renderModal', () => {
  it.each([
    ['en', en],
    ['zh', zh],
  ] as const)('builds the picker form with the contract ids (%s)', (_, t) => {
    const view = renderModal({ ...base, t, channelId: 'C01CHANNEL' });
    expect(findViewLimitViolations(view)).toEqual([]);
    expect(view.callback_id).toBe(MODAL.callbackId);
    expect(readModalMetadata(view.private_metadata)).toEqual({
      channelId: 'C01CHANNEL',
      region: 'cn-shanghai',
    });
    expect(view.title.text).toBe(t.modal.title);
    expect(inputs(view).map((b) => b.block_id)).toEqual([
      BLOCKS.region,
      BLOCKS.instances,
      BLOCKS.instanceIds,
      BLOCKS.keyPair,
      BLOCKS.selector,
      BLOCKS.next,
    ]);
    // Issue 21: selectors instead of instances, and a rolling restart under the same approval.
    expect(input(view, BLOCKS.selector)).toMatchObject({
      optional: true,
      element: { type: 'plain_text_input', action_id: MODAL.selectorAction },
    });
    expect(input(view, BLOCKS.next)).toMatchObject({
      optional: true,
      element: {
        type: 'checkboxes',
        action_id: MODAL.thenAction,
        options: [
          { value: 'restart', text: { text: t.fleet.form.next.restart } },
          { value: 'apply-now', text: { text: t.fleet.form.next.applyNow } },
        ],
      },
    });
    expect(input(view, BLOCKS.region)).toMatchObject({
      dispatch_action: true,
      element: {
        type: 'static_select',
        action_id: MODAL.regionAction,
        initial_option: { value: 'cn-shanghai' },
      },
    });
    expect(input(view, BLOCKS.instances)).toMatchObject({
      optional: true,
      element: {
        type: 'multi_external_select',
        action_id: 'instances_select:cn-shanghai',
        min_query_length: 0,
      },
    });
    expect(input(view, BLOCKS.instanceIds)).toMatchObject({
      optional: true,
      element: { type: 'plain_text_input', action_id: MODAL.instanceIdsAction, multiline: true },
    });
    expect(input(view, BLOCKS.keyPair)).toMatchObject({
      element: { type: 'external_select', action_id: 'key_pair_select:cn-shanghai' },
    });
    expect(input(view, BLOCKS.channel)).toBeUndefined();
    expect(regionValues(view)).toEqual(REGIONS);
    expect(JSON.stringify(view)).toContain(t.modal.instances.label);
  });

  it('asks for a channel when opened without one (the global shortcut)', () => {
    const view = renderModal({ ...base, t: en });
    expect(findViewLimitViolations(view)).toEqual([]);
    expect(readModalMetadata(view.private_metadata)).toEqual({ region: 'cn-shanghai' });
    expect(input(view, BLOCKS.channel)).toMatchObject({
      element: {
        type: 'conversations_select',
        action_id: MODAL.channelAction,
        default_to_current_conversation: true,
      },
    });
  });

  it('names the region in the pickers’ action ids, and searches the one asked for', () => {
    const view = renderModal({ ...base, t: en, channelId: 'C1', region: 'cn-guangzhou' });
    const ids = inputs(view).map((b) => b.element.action_id ?? '');
    expect(pickerRegion(MODAL.instancesAction, ids[1] ?? '')).toBe('cn-guangzhou');
    expect(pickerRegion(MODAL.keyPairAction, ids[3] ?? '')).toBe('cn-guangzhou');
    expect(pickerRegion(MODAL.keyPairAction, ids[1] ?? '')).toBeUndefined();
    expect(pickerActionId(MODAL.instancesAction, 'x')).toBe('instances_select:x');
    // A region the form does not offer falls back to the default.
    const odd = renderModal({ ...base, t: en, channelId: 'C1', region: 'mars-1' });
    expect(readModalMetadata(odd.private_metadata)?.region).toBe('cn-shanghai');
  });

  it('offers and preselects a default region that is not in the list', () => {
    const view = renderModal({ ...base, t: en, defaultRegion: 'cn-beijing-autodriving' });
    expect(input(view, BLOCKS.region)).toMatchObject({
      element: { initial_option: { value: 'cn-beijing-autodriving' } },
    });
    expect(regionValues(view)[0]).toBe('cn-beijing-autodriving');
    expect(findViewLimitViolations(view)).toEqual([]);
  });

  it('keeps the select within 100 unique options', () => {
    const many = [...Array.from({ length: 150 }, (_, i) => `xx-region${i}`), 'xx-region1'];
    const view = renderModal({ t: en, defaultRegion: 'xx-region1', regions: many, sandbox: false });
    expect(findViewLimitViolations(view)).toEqual([]);
    expect(regionValues(view)).toHaveLength(100);
    expect(new Set(regionValues(view)).size).toBe(100);
    const late = renderModal({
      t: en,
      defaultRegion: 'xx-region140',
      regions: many,
      sandbox: false,
    });
    expect(regionValues(late)[0]).toBe('xx-region140');
  });

  it.each([
    ['en', en],
    ['zh', zh],
  ] as const)('says SANDBOX in sandbox mode (%s)', (_, t) => {
    const view = renderModal({ ...base, t, sandbox: true });
    expect(findViewLimitViolations(view)).toEqual([]);
    expect(view.title.text).toBe(t.modal.titleSandbox);
    expect(JSON.stringify(view.blocks)).toContain(t === en ? 'SANDBOX' : '沙箱');
  });

  it.each([
    ['en', en],
    ['zh', zh],
  ] as const)('prefills a retry: 100 picked, the rest pasted, within the limits (%s)', (_, t) => {
    const instances = Array.from({ length: 400 }, (_, i) =>
      i % 2
        ? snapshot({ instanceId: `i-retry${String(i).padStart(14, '0')}`, name: 'n'.repeat(90) })
        : { instanceId: `i-retry${String(i).padStart(14, '0')}` },
    );
    const view = renderModal({
      ...base,
      t,
      channelId: 'C1',
      region: 'cn-beijing',
      prefill: {
        instances,
        keyPair: {
          keyPairId: 'kp-abcd1234',
          keyPairName: 'ops-key',
          fingerprint: 'aa:bb:cc:dd:ee:ff',
        },
        retryOf: 'ak-retry',
      },
    });
    expect(findViewLimitViolations(view)).toEqual([]);
    const picked = input(view, BLOCKS.instances)?.element as types.MultiExternalSelect;
    expect(picked.initial_options).toHaveLength(100);
    expect(picked.initial_options?.[0]?.value).toBe(instances[0]?.instanceId);
    for (const o of picked.initial_options ?? [])
      expect(o.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.optionText);
    const pasted = input(view, BLOCKS.instanceIds)?.element as types.PlainTextInput;
    const lines = (pasted.initial_value ?? '').split('\n');
    expect(lines[0]).toBe(instances[100]?.instanceId);
    expect((pasted.initial_value ?? '').length).toBeLessThanOrEqual(SLACK_LIMITS.inputMaxLength);
    const cut = 300 - lines.length;
    expect(cut).toBeGreaterThan(0);
    const intro = JSON.stringify(view.blocks.find((b) => b.block_id === 'intro'));
    expect(intro).toContain('ak-retry');
    expect(intro).toContain(t.modal.retryCut(cut).slice(0, 6));
    expect(input(view, BLOCKS.keyPair)?.element).toMatchObject({
      initial_option: { value: 'kp-abcd1234', text: { text: expect.stringContaining('ops-key') } },
    });
    // Not a rotation: then=restart is not ticked.
    expect(input(view, BLOCKS.next)?.element).not.toHaveProperty('initial_options');
  });

  it('ticks then=restart again when the failed instances were part of a rotation', () => {
    const view = renderModal({
      ...base,
      t: en,
      channelId: 'C1',
      prefill: { instances: [{ instanceId: 'i-aaaa1111' }], retryOf: 'ak-rot', next: 'restart' },
    });
    const next = input(view, BLOCKS.next)?.element as types.Checkboxes;
    // The prefill comes from the rotation's failed instances.
    const rotation = makeRequest({
      instanceIds: ['i-aaaa1111', 'i-bbbb2222'],
      status: 'done',
      next: { kind: 'restart', restart: { waveSize: 10, waveTimeoutMs: 600_000 } },
      steps: [doneStep(0, ['i-aaaa1111', 'i-bbbb2222'], { 'i-aaaa1111': 'InvalidInstanceStatus' })],
    });
    expect(retryForm(rotation)?.prefill).toMatchObject({
      instances: [{ instanceId: 'i-aaaa1111' }],
      next: 'restart',
    });
    expect(retryForm({ ...rotation, next: undefined })?.prefill).not.toHaveProperty('next');
    expect(next.initial_options?.map((o) => o.value)).toEqual(['restart']);
    expect(findViewLimitViolations(view)).toEqual([]);
  });
});

describe('picker options', () => {
  it.each([
    ['en', en],
    ['zh', zh],
  ] as const)('keep option text within 75 characters, the id whole (%s)', (_, t) => {
    const long = snapshot({
      instanceId: `i-${'a'.repeat(40)}`,
      name: '很长的实例名称'.repeat(20),
      keyPairName: 'k'.repeat(64),
      status: 'REBUILDING',
      osType: 'Windows',
    });
    for (const instance of [long, snapshot(), snapshot({ name: '', keyPairName: undefined })]) {
      const o = instanceOption(instance, t);
      expect(o.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.optionText);
      expect(o.text.text).toContain(instance.instanceId);
      expect(o.value).toBe(instance.instanceId);
    }
    const k = keyPairOption(
      { keyPairId: 'kp-abcd1234', keyPairName: 'n'.repeat(64), fingerprint: 'aa:bb:cc:dd:ee' },
      t,
    );
    expect(k.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.optionText);
    expect(k.value).toBe('kp-abcd1234');
  });

  it('shows name, id, status and key pair; marks what cannot take a key pair', () => {
    expect(instanceOption(snapshot(), en).text.text).toBe(
      'web-01 · i-3tiefmkskq3vj0example · RUNNING · key ops-key',
    );
    expect(instanceOption(snapshot({ keyPairName: undefined }), zh).text.text).toBe(
      'web-01 · i-3tiefmkskq3vj0example · RUNNING · 无密钥对',
    );
    expect(instanceOption(snapshot({ osType: 'Windows' }), en).text.text).toMatch(
      /^⛔ web-01 · .* · RUNNING Windows · /,
    );
    expect(instanceOption(snapshot({ status: 'STOPPING' }), en).text.text).toMatch(/^⛔ /);
    expect(instanceOption(snapshot({ status: 'STOPPED' }), en).text.text).not.toMatch(/⛔/);
    expect(
      keyPairOption({ keyPairId: 'kp-1', keyPairName: 'ops', fingerprint: 'aa:bb:cc:dd:ee:ff' }, en)
        .text.text,
    ).toBe('ops · fp aa:bb:cc:dd…');
  });

  it.each([
    ['en', en],
    ['zh', zh],
  ] as const)('put a hint first, never more than 100 options (%s)', (_, t) => {
    const many = Array.from({ length: 150 }, (_, i) => snapshot({ instanceId: `i-many${i}aaaa` }));
    const hints = [
      { kind: 'slow' },
      { kind: 'refused', code: 'AccessDenied'.repeat(10) },
      { kind: 'busy' },
      { kind: 'listing', listed: 12_345 },
      { kind: 'truncated', listed: 20_000 },
      { kind: 'more', shown: 99 },
    ] as const;
    for (const hint of hints) {
      const { options } = renderInstanceOptions({ instances: many, hints: [hint] }, t);
      expect(options).toHaveLength(100);
      expect(options[0]?.value).toBe(`${HINT_VALUE}${hint.kind}`);
      for (const o of options) expect(o.text.text.length).toBeLessThanOrEqual(75);
    }
    const none = renderKeyPairOptions({ keyPairs: [], hints: [{ kind: 'slow' }] }, t);
    expect(none.options.map((o) => o.text.text)).toEqual([t.modal.hint.slow]);
    expect(renderInstanceOptions({ instances: many, hints: [] }, t).options[0]?.value).toBe(
      'hint:more',
    );
    expect(
      renderInstanceOptions({ instances: many.slice(0, 3), hints: [] }, t).options,
    ).toHaveLength(3);
  });
});
