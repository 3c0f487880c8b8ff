import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { config } from '#shared/config';
import { env } from '#shared/env';
import { sourceFiles } from '../support/source-files.ts';

describe('environment', () => {
  it('is read only by shared/config.ts in functions/ and shared/', () => {
    const readers = ['functions', 'shared']
      .flatMap(sourceFiles)
      .filter((file) => /\bprocess\.env\b/.test(readFileSync(file, 'utf8')));
    expect(readers).toEqual([join('shared', 'config.ts')]);
  });

  describe('config', () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    });

    it('names a missing required variable', () => {
      delete process.env[env.tableName];
      expect(() => config.tableName).toThrow(`Missing environment variable ${env.tableName}`);
      delete process.env[env.queue.url('campaignSend')];
      expect(() => config.queueUrl('campaignSend')).toThrow(
        'Missing environment variable CAMPAIGN_SEND_QUEUE_URL',
      );
    });

    it('reads a value set after import, on each use', () => {
      process.env[env.tableName] = 'first';
      expect(config.tableName).toBe('first');
      process.env[env.tableName] = 'second';
      expect(config.tableName).toBe('second');
    });

    it('picks the AWS adapters only when told to', () => {
      delete process.env[env.schedule.scheduler];
      delete process.env[env.queue.queue];
      expect([config.scheduler, config.queue]).toEqual(['local', 'local']);
      process.env[env.schedule.scheduler] = 'eventbridge';
      process.env[env.queue.queue] = 'sqs';
      expect([config.scheduler, config.queue]).toEqual(['eventbridge', 'sqs']);
    });
  });
});
