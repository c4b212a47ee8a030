// Block Kit limits (slack.md §3) and a checker for rendered messages and views. Neither Slack's
// types nor any builder check lengths offline, so renderers size their output against these and
// tests run every rendered message through `findLimitViolations`.

import type { types } from '@slack/bolt';

export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  blocksPerModal: 100,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  id: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  viewTitle: 24,
  privateMetadata: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  inputMaxLength: 3000,
  selectOptions: 100,
  optionText: 75,
  optionValue: 75,
  messageText: 40_000,
  /** Undocumented cumulative block text limit is ~12k; stay clear of it. */
  blockTextBudget: 11_000,
} as const;

/** A rendered message: `text` is the notification and accessibility fallback. */
export interface SlackMessage {
  text: string;
  blocks: types.KnownBlock[];
}

/** A rendered message whose blocks are optional (short ephemeral answers). */
export interface SlackReply {
  text: string;
  blocks?: types.KnownBlock[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const textOf = (value: unknown): string =>
  isObject(value) && typeof value.text === 'string' ? value.text : '';

/** Sum of every text string in the blocks: what counts against the cumulative budget. */
export function measureBlockText(blocks: readonly unknown[]): number {
  let total = 0;
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
    } else if (isObject(value)) {
      if (typeof value.text === 'string') total += value.text.length;
      for (const [key, inner] of Object.entries(value)) if (key !== 'text') walk(inner);
      if (isObject(value.text)) walk(value.text);
    }
  };
  walk(blocks);
  return total;
}

function checkBlocks(blocks: readonly unknown[], problems: string[]): void {
  const blockIds = new Set<string>();
  const max = (label: string, length: number, limit: number) => {
    if (length > limit) problems.push(`${label} is ${length} chars (max ${limit})`);
  };
  blocks.forEach((block, i) => {
    const at = `blocks[${i}]`;
    // action_ids must differ within a block (App Home repeats approve_request block by block).
    const actionIds = new Set<string>();
    if (!isObject(block) || typeof block.type !== 'string') {
      problems.push(`${at} has no type`);
      return;
    }
    if (typeof block.block_id === 'string') {
      max(`${at}.block_id`, block.block_id.length, SLACK_LIMITS.id);
      if (blockIds.has(block.block_id)) problems.push(`${at}.block_id ${block.block_id} repeats`);
      blockIds.add(block.block_id);
    }
    if (block.type === 'section') {
      const fields = Array.isArray(block.fields) ? block.fields : [];
      if (!textOf(block.text) && fields.length === 0) problems.push(`${at} has no text`);
      if (block.text !== undefined) {
        const text = textOf(block.text);
        if (text.length === 0) problems.push(`${at}.text is empty`);
        max(`${at}.text`, text.length, SLACK_LIMITS.sectionText);
      }
      if (fields.length > SLACK_LIMITS.sectionFields) problems.push(`${at} has too many fields`);
      fields.forEach((f, j) => {
        max(`${at}.fields[${j}]`, textOf(f).length, SLACK_LIMITS.sectionFieldText);
      });
    } else if (block.type === 'header') {
      max(`${at}.text`, textOf(block.text).length, SLACK_LIMITS.headerText);
    } else if (block.type === 'context') {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length === 0 || elements.length > SLACK_LIMITS.contextElements) {
        problems.push(`${at} has ${elements.length} elements`);
      }
    } else if (block.type === 'actions') {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length === 0 || elements.length > SLACK_LIMITS.actionsElements) {
        problems.push(`${at} has ${elements.length} elements`);
      }
      elements.forEach((e, j) => {
        checkElement(e, `${at}.elements[${j}]`, problems, actionIds);
      });
    } else if (block.type === 'input') {
      max(`${at}.label`, textOf(block.label).length, SLACK_LIMITS.inputLabel);
      max(`${at}.hint`, textOf(block.hint).length, SLACK_LIMITS.inputHint);
      checkElement(block.element, `${at}.element`, problems, actionIds);
    }
  });
}

function checkElement(element: unknown, at: string, problems: string[], actionIds: Set<string>) {
  if (!isObject(element)) {
    problems.push(`${at} is missing`);
    return;
  }
  const max = (label: string, length: number, limit: number) => {
    if (length > limit) problems.push(`${at}.${label} is ${length} chars (max ${limit})`);
  };
  if (typeof element.action_id === 'string') {
    max('action_id', element.action_id.length, SLACK_LIMITS.id);
    if (actionIds.has(element.action_id)) problems.push(`${at}.action_id repeats`);
    actionIds.add(element.action_id);
  }
  if (element.type === 'button') {
    max('text', textOf(element.text).length, SLACK_LIMITS.buttonText);
    if (typeof element.value === 'string') {
      max('value', element.value.length, SLACK_LIMITS.buttonValue);
    }
  }
  if (typeof element.max_length === 'number' && element.max_length > SLACK_LIMITS.inputMaxLength) {
    problems.push(`${at}.max_length exceeds ${SLACK_LIMITS.inputMaxLength}`);
  }
  if (Array.isArray(element.options)) {
    if (element.options.length === 0 || element.options.length > SLACK_LIMITS.selectOptions) {
      problems.push(`${at} has ${element.options.length} options`);
    }
    element.options.forEach((o, j) => {
      max(`options[${j}].text`, textOf(isObject(o) ? o.text : undefined).length, 75);
      const value = isObject(o) && typeof o.value === 'string' ? o.value : '';
      max(`options[${j}].value`, value.length, SLACK_LIMITS.optionValue);
    });
  }
  if (isObject(element.confirm)) {
    const c = element.confirm;
    max('confirm.title', textOf(c.title).length, SLACK_LIMITS.confirmTitle);
    max('confirm.text', textOf(c.text).length, SLACK_LIMITS.confirmText);
    max('confirm.confirm', textOf(c.confirm).length, SLACK_LIMITS.confirmButton);
    max('confirm.deny', textOf(c.deny).length, SLACK_LIMITS.confirmButton);
  }
}

/** Every way a message breaks Block Kit's limits; empty when it is safe to send. */
export function findLimitViolations(message: SlackReply): string[] {
  const problems: string[] = [];
  if (message.text.trim().length === 0) problems.push('text fallback is empty');
  if (message.text.length > SLACK_LIMITS.messageText) problems.push('text fallback is too long');
  const blocks = message.blocks ?? [];
  if (blocks.length > SLACK_LIMITS.blocksPerMessage) {
    problems.push(`${blocks.length} blocks (max ${SLACK_LIMITS.blocksPerMessage})`);
  }
  const budget = measureBlockText(blocks);
  if (budget > SLACK_LIMITS.blockTextBudget) {
    problems.push(`block text is ${budget} chars (budget ${SLACK_LIMITS.blockTextBudget})`);
  }
  checkBlocks(blocks, problems);
  return problems;
}

/** The same for a modal or the App Home tab. */
export function findViewLimitViolations(view: types.ModalView | types.HomeView): string[] {
  const problems: string[] = [];
  const max = (label: string, length: number, limit: number) => {
    if (length > limit) problems.push(`${label} is ${length} chars (max ${limit})`);
  };
  if (view.type === 'modal') {
    max('title', view.title.text.length, SLACK_LIMITS.viewTitle);
    max('submit', view.submit?.text.length ?? 0, SLACK_LIMITS.viewTitle);
    max('close', view.close?.text.length ?? 0, SLACK_LIMITS.viewTitle);
    if (view.blocks.some((b) => b.type === 'input') && !view.submit) {
      problems.push('input blocks need a submit button');
    }
  }
  max('private_metadata', view.private_metadata?.length ?? 0, SLACK_LIMITS.privateMetadata);
  max('callback_id', view.callback_id?.length ?? 0, SLACK_LIMITS.id);
  if (view.blocks.length > SLACK_LIMITS.blocksPerModal) problems.push('too many blocks');
  checkBlocks(view.blocks, problems);
  return problems;
}
