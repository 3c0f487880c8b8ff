import { useEffect, useRef } from 'preact/hooks';

/**
 * Calls `tick` every `ms` while `active` (a campaign sending, an import processing); each call
 * waits for the previous one, so a slow API never piles requests up.
 */
export function usePolling(tick: () => Promise<unknown>, ms: number, active: boolean): void {
  const tickRef = useRef(tick);
  tickRef.current = tick;
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const loop = async () => {
      try {
        await tickRef.current();
      } catch {
        // The page shows the failure of its own loads; polling just tries again.
      }
      if (!stopped) timer = setTimeout(loop, ms);
    };
    timer = setTimeout(loop, ms);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [active, ms]);
}
