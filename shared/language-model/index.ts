import { config } from '../config.ts';
import type { SegmentSuggester } from './segment-suggester.ts';

export type { SegmentSuggester, SuggestionRequest } from './segment-suggester.ts';

let selected: { modelId: string; suggester: SegmentSuggester } | undefined;

/**
 * The configured suggester: Bedrock when NL_MODEL_ID is set (`cdk deploy -c
 * nlModel=<id>`), otherwise none (the local runtime never has one). One client
 * per container. The adapter is imported only then: a function without a model
 * never evaluates the Bedrock client at init.
 */
export async function segmentSuggester(): Promise<SegmentSuggester | undefined> {
  const modelId = config.nlModelId;
  if (!modelId) return undefined;
  if (selected?.modelId !== modelId) {
    const { bedrockSuggester } = await import('./bedrock.ts');
    selected = { modelId, suggester: bedrockSuggester(modelId) };
  }
  return selected.suggester;
}
