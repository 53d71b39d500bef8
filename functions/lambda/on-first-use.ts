// One way to make something on first use and keep it for the container's lifetime: a module loaded with
// import() off the cold-start path, a client, a handler built from settings. Its own module, importing
// nothing, so the admission function's mutating path can use it.

/**
 * A getter that makes the value on its first call and returns the same value after. A promise that rejects
 * is not kept, so the next call tries again (an SSM read that failed, a module that did not load).
 */
export function onFirstUse<T>(make: () => T): () => T {
  let kept: { readonly value: T } | undefined;
  return () => {
    if (kept) return kept.value;
    const value = make();
    const made = { value };
    kept = made;
    if (value instanceof Promise)
      value.catch(() => {
        if (kept === made) kept = undefined;
      });
    return value;
  };
}
