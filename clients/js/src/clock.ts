/** Time and timers, injectable so tests can drive the outbox's backoff without waiting. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Whether the network is there; the outbox pauses while offline and resumes when it comes back. */
export interface Connectivity {
  isOnline(): boolean;
  /** Calls back on every change; answers an unsubscribe. */
  subscribe(listener: (online: boolean) => void): () => void;
}

/** `navigator.onLine` with the window's online/offline events; always online where they do not exist (Node). */
export const browserConnectivity: Connectivity = {
  isOnline: () => (typeof navigator !== "undefined" && typeof navigator.onLine === "boolean" ? navigator.onLine : true),
  subscribe(listener) {
    if (typeof window === "undefined" || !window.addEventListener) return () => {};
    const online = () => listener(true);
    const offline = () => listener(false);
    window.addEventListener("online", online);
    window.addEventListener("offline", offline);
    return () => {
      window.removeEventListener("online", online);
      window.removeEventListener("offline", offline);
    };
  },
};

/** A switch for tests and for apps with their own notion of "offline". */
export class ManualConnectivity implements Connectivity {
  private listeners = new Set<(online: boolean) => void>();
  constructor(private online = true) {}
  isOnline() { return this.online; }
  set(online: boolean) {
    if (online === this.online) return;
    this.online = online;
    for (const listener of this.listeners) listener(online);
  }
  subscribe(listener: (online: boolean) => void) {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }
}
