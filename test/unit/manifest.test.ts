import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BOT_SCOPES } from '../../src/doctor/slack.js';
import { ACTIONS, BLOCKS, COMMAND, MODAL, SHORTCUT } from '../../src/slack/ids.js';

// manifest.yml against the facts of Slack's manifest schema (v1, slackapi/manifest-schema):
// only known keys, the documented lengths, and what this bot's contract needs.

const manifest = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8'));

const ALLOWED: Record<string, string[]> = {
  '': ['_metadata', 'display_information', 'features', 'oauth_config', 'settings'],
  display_information: ['name', 'description', 'background_color', 'long_description'],
  features: ['app_home', 'bot_user', 'slash_commands', 'shortcuts', 'unfurl_domains'],
  'features.app_home': [
    'home_tab_enabled',
    'messages_tab_enabled',
    'messages_tab_read_only_enabled',
  ],
  'features.bot_user': ['display_name', 'always_online'],
  oauth_config: ['scopes', 'redirect_urls', 'token_management_enabled', 'pkce_enabled'],
  'oauth_config.scopes': ['bot', 'user', 'bot_optional', 'user_optional'],
  settings: [
    'interactivity',
    'event_subscriptions',
    'org_deploy_enabled',
    'socket_mode_enabled',
    'token_rotation_enabled',
    'allowed_ip_address_ranges',
  ],
  'settings.interactivity': ['is_enabled', 'request_url', 'message_menu_options_url'],
  'settings.event_subscriptions': ['request_url', 'bot_events', 'user_events'],
};

function at(path: string): Record<string, unknown> {
  return path
    .split('.')
    .filter(Boolean)
    .reduce((node, key) => (node as Record<string, unknown>)[key], manifest) as Record<
    string,
    unknown
  >;
}

describe('manifest.yml', () => {
  it.each(Object.entries(ALLOWED))('has only schema keys under %j', (path, keys) => {
    for (const key of Object.keys(at(path))) expect(keys).toContain(key);
  });

  it('names the app within the schema limits', () => {
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
    expect(manifest.display_information.description.length).toBeLessThanOrEqual(140);
    expect(manifest.display_information.background_color).toMatch(
      /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/,
    );
    expect(manifest.features.bot_user.display_name.length).toBeLessThanOrEqual(80);
  });

  it('declares /attach-key with a usage hint and the /slack/events URL', () => {
    const commands = manifest.features.slash_commands as Record<string, unknown>[];
    expect(commands).toHaveLength(1);
    const [command] = commands;
    expect(Object.keys(command ?? {}).sort()).toEqual(
      ['command', 'description', 'should_escape', 'url', 'usage_hint'].sort(),
    );
    expect(command?.command).toBe(COMMAND);
    expect(String(command?.usage_hint).length).toBeLessThanOrEqual(1000);
    expect(String(command?.description).length).toBeLessThanOrEqual(2000);
    expect(command?.url).toMatch(/^https:\/\/.+\/slack\/events$/);
  });

  it('enables interactivity on /slack/events and Socket Mode, with the bot scopes it uses', () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toMatch(/^https:\/\/.+\/slack\/events$/);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([
      'channels:read',
      'chat:write',
      'commands',
      'groups:read',
      'usergroups:read',
      'users:read',
    ]);
    // The doctor checks the token against the same list.
    expect([...BOT_SCOPES].sort()).toEqual([...manifest.oauth_config.scopes.bot].sort());
  });

  it('declares the global shortcut and the options load URL on /slack/events', () => {
    const shortcuts = manifest.features.shortcuts as Record<string, unknown>[];
    expect(shortcuts).toEqual([
      {
        name: 'Attach a key pair',
        type: 'global',
        callback_id: SHORTCUT,
        description: expect.any(String),
      },
    ]);
    // Kept short on purpose: the shortcuts menu shows the name and description on a line each.
    expect(String(shortcuts[0]?.name).length).toBeLessThanOrEqual(24);
    expect(String(shortcuts[0]?.description).length).toBeLessThanOrEqual(150);
    expect(manifest.settings.interactivity.message_menu_options_url).toMatch(
      /^https:\/\/.+\/slack\/events$/,
    );
  });

  it('turns the Home tab on and subscribes app_home_opened on /slack/events', () => {
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect(manifest.settings.event_subscriptions.request_url).toMatch(
      /^https:\/\/.+\/slack\/events$/,
    );
  });
});

describe('the public contract (README: a change here is a breaking change)', () => {
  it('keeps the command, action ids, modal callback id and block ids', () => {
    expect(COMMAND).toBe('/attach-key');
    expect(ACTIONS).toMatchObject({
      approve: 'approve_request',
      reject: 'reject_request',
      cancel: 'cancel_request',
      restart: 'restart_request',
      undo: 'undo_request',
      retryFailed: 'retry_failed',
      applyNow: 'apply_now_request',
    });
    expect(MODAL.callbackId).toBe('attach_key_modal');
    expect(SHORTCUT).toBe('attach_key_shortcut');
    expect(BLOCKS).toMatchObject({
      instances: 'instances',
      instanceIds: 'instance_ids',
      keyPair: 'key_pair',
      region: 'region',
      channel: 'channel',
    });
  });
});
