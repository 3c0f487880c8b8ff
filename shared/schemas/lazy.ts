/**
 * Builds a value on first use. Schemas are built lazily so that a function's
 * cold start pays only for the routes it actually serves, not every schema its
 * modules declare (each first use of a zod construct costs V8 compile time).
 */
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
