import { numberFormatter } from './locale.js';

// 简体中文的数字：Intl 按 zh-CN 书写（1,234）。中文没有复数变化：数量词由各处文案自己写（3 台实例）。

export const num = numberFormatter('zh-CN');

/** `3 台实例`: the noun carries its measure word; Chinese has no plural form. */
export function plural(count: number, noun: string, _nouns?: string): string {
  return `${num(count)} ${noun}`;
}
