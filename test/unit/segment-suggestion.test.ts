import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { type SegmentFilter, validateFilter } from '#shared/domain/segment-filter';
import type { SegmentVocabulary } from '#shared/domain/segment-language/vocabulary';
import {
  suggestionFields,
  suggestionFilterSchema,
  suggestionProblems,
} from '#shared/domain/segment-suggestion';
import {
  bedrockSuggester,
  PROMPT_VALUES_PER_LIST,
  SUGGESTION_TOOL,
  suggestionPrompt,
} from '#shared/language-model/bedrock';
import vocabularyJson from '../eval/segment-vocabulary.json' with { type: 'json' };

const vocabulary = vocabularyJson as SegmentVocabulary;
const webinar = '01KDVDNKRG87Q779606CFK1ES3';
const negotiation = '01KDVDNBYGPDF2KGE9X6ZKKY83';

describe('what a suggested filter may name', () => {
  const check = (filter: SegmentFilter, text = 'clientes de Madrid') =>
    suggestionProblems(filter, vocabulary, { text, userId: 'me' });

  it("accepts the tenant's values in any case or accents, ids it knows, the caller, words of the sentence", () => {
    expect(
      check(
        {
          all: [
            { field: 'city', op: 'in', value: ['madrid', 'SAO PAULO'] },
            { field: 'company.industry', op: 'eq', value: 'Hosteleria' },
            { field: 'tags', op: 'neq', value: 'VIP' },
            { field: 'engagement.opened', op: 'eq', value: webinar },
            { field: 'deals.stage', op: 'in', value: [negotiation] },
            {
              any: [
                { field: 'ownerId', op: 'eq', value: 'me' },
                { field: 'ownerId', op: 'eq', value: 'user-ana-garcia' },
              ],
            },
            { field: 'title', op: 'contains', value: 'Director' },
            { field: 'createdAt', op: 'withinDays', value: 30 },
            { field: 'company.size', op: 'gt', value: 50 },
            { field: 'email', op: 'exists' },
          ],
        },
        'directors in Madrid',
      ),
    ).toEqual([]);
  });

  it('refuses invented values, unknown ids and fields the contract does not use', () => {
    expect(check({ all: [{ field: 'city', op: 'eq', value: 'Paris' }] })).toEqual([
      'city: "Paris" is not one of the tenant\'s values',
    ]);
    expect(
      check({ all: [{ field: 'engagement.clicked', op: 'eq', value: '01KDVDNKRG87Q779606CFK1ES4' }] }),
    ).toHaveLength(1);
    expect(check({ all: [{ field: 'ownerId', op: 'eq', value: 'user-nobody' }] })).toHaveLength(1);
    expect(check({ all: [{ field: 'title', op: 'contains', value: 'CEO' }] })).toHaveLength(1);
    expect(check({ all: [{ field: 'firstName', op: 'eq', value: 'Ana' }] })).toEqual([
      'firstName eq is not a condition a suggestion may use',
    ]);
    expect(check({ all: [{ field: 'customFields.tier', op: 'eq', value: 'gold' }] })).toHaveLength(1);
  });

  it('describes to the model only conditions validateFilter accepts', () => {
    const schema = suggestionFilterSchema();
    expect(schema.required).toEqual(['all']);
    for (const field of suggestionFields)
      for (const op of field.ops) {
        const value =
          op === 'exists' || op === 'notExists'
            ? undefined
            : op === 'withinDays'
              ? 7
              : field.source === 'number'
                ? 1
                : field.source === 'date'
                  ? '2026-01-01'
                  : field.source === 'enum'
                    ? field.values?.[0]
                    : field.source === 'stages' || field.source === 'campaigns'
                      ? webinar
                      : 'x';
        const condition = {
          field: field.field,
          op,
          ...(value === undefined ? {} : { value: op === 'in' || op === 'nin' ? [value] : value }),
        };
        expect(validateFilter({ all: [condition] }), `${field.field} ${op}`).toEqual([]);
      }
  });
});

describe('the Bedrock suggester (faults injected with aws-sdk-client-mock)', () => {
  const bedrock = mockClient(BedrockRuntimeClient);
  afterEach(() => bedrock.reset());
  const request = {
    text: 'clientes de Madrd',
    lang: 'es' as const,
    now: new Date('2026-06-15T10:00:00Z'),
    vocabulary,
    userId: 'me',
  };
  const filter = { all: [{ field: 'city', op: 'eq', value: 'Madrid' }] };
  const suggester = (timeoutMs = 5000) =>
    bedrockSuggester(
      'anthropic.claude-3-haiku-20240307-v1:0',
      new BedrockRuntimeClient({ region: 'eu-west-1' }),
      timeoutMs,
    );

  it('asks with one forced tool, temperature 0, a small budget, and answers the tool input', async () => {
    bedrock.on(ConverseCommand).resolves({
      stopReason: 'tool_use',
      output: {
        message: {
          role: 'assistant',
          content: [{ toolUse: { toolUseId: 't1', name: SUGGESTION_TOOL, input: filter } }],
        },
      },
    } as never);
    expect(await suggester().suggest(request)).toEqual(filter);
    const [call] = bedrock.commandCalls(ConverseCommand);
    const input = call?.args[0].input;
    expect(input?.modelId).toBe('anthropic.claude-3-haiku-20240307-v1:0');
    expect(input?.inferenceConfig).toEqual({ temperature: 0, maxTokens: expect.any(Number) });
    expect(input?.inferenceConfig?.maxTokens).toBeLessThanOrEqual(1024);
    expect(input?.toolConfig?.toolChoice).toEqual({ tool: { name: SUGGESTION_TOOL } });
    expect(input?.toolConfig?.tools?.[0]?.toolSpec?.inputSchema?.json).toEqual(suggestionFilterSchema());
    expect(input?.messages).toEqual([{ role: 'user', content: [{ text: 'clientes de Madrd' }] }]);
    const system = input?.system?.[0]?.text ?? '';
    expect(system).toContain('2026-06-15');
    expect(system).toContain('"Madrid"');
    expect(system).toContain(webinar);
    expect(system).toContain('Use only these values');
  });

  it('bounds the values the prompt names', () => {
    const many = { ...vocabulary, cities: Array.from({ length: 500 }, (_, n) => `City ${n}`) };
    const prompt = suggestionPrompt({ ...request, vocabulary: many });
    expect(prompt).toContain(`"City ${PROMPT_VALUES_PER_LIST - 1}"`);
    expect(prompt).not.toContain(`"City ${PROMPT_VALUES_PER_LIST}"`);
  });

  it('fails when the model answers without the tool', async () => {
    bedrock.on(ConverseCommand).resolves({
      stopReason: 'end_turn',
      output: { message: { role: 'assistant', content: [{ text: 'Here is your filter' }] } },
    } as never);
    await expect(suggester().suggest(request)).rejects.toThrow(/without calling/);
  });

  it('fails on throttling and on access denied', async () => {
    bedrock
      .on(ConverseCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(suggester().suggest(request)).rejects.toThrow('Rate exceeded');
    bedrock.reset();
    bedrock
      .on(ConverseCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await expect(suggester().suggest(request)).rejects.toThrow('not authorized');
  });

  it('gives up after its timeout', async () => {
    bedrock
      .on(ConverseCommand)
      .callsFake(() => new Promise((resolve) => setTimeout(() => resolve({}), 2000)));
    await expect(suggester(50).suggest(request)).rejects.toThrow(/within 50 ms/);
  });
});
