/**
 * Builds a value on first use. Schemas are built lazily so that a function's
 * cold start pays only for the routes it actually serves, not every schema its
 * modules declare (each first use of a zod construct costs V8 compile time).
 *
 * Every module-level call is preceded by the bundlers' `__PURE__` annotation
 * comment, as in each schema module. esbuild cannot tell that a call to a
 * function from another file has no side effects (it honours
 * `__NO_SIDE_EFFECTS__` only within one file, evanw/esbuild#4369), so an unused
 * `lazy(…)` without the annotation stays in the bundle with all the zod its
 * builder names: a function that imports a schema module for one thing
 * (shared/store/campaigns.ts names the campaign record's fields) would carry
 * zod although it never validates.
 */
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
