// Test doubles for time and the network path: a clock whose timers fire only when told, and a
// fetch that can be cut (throws like a refused connection) or lose an answer after the server acted.

export class FakeClock {
  constructor(start = 1_700_000_000_000) {
    this.time = start;
    this.timers = [];
    this.nextId = 1;
  }
  now() { return this.time; }
  setTimeout(callback, ms) {
    const id = this.nextId++;
    this.timers.push({ id, at: this.time + Math.max(0, ms), callback });
    return id;
  }
  clearTimeout(id) { this.timers = this.timers.filter((t) => t.id !== id); }
  get pending() { return this.timers.length; }
  /** Moves time to the earliest timer and fires it; answers the time moved, or undefined when none is set. */
  fireNext() {
    if (!this.timers.length) return undefined;
    this.timers.sort((a, b) => a.at - b.at);
    const timer = this.timers.shift();
    const moved = timer.at - this.time;
    this.time = timer.at;
    timer.callback();
    return moved;
  }
}

export class Network {
  constructor() {
    this.down = false;
    this.loseNextAnswerTo = undefined;
    /** `{ path, status, retryAfter }`: the next request to `path` is answered so without reaching the server. */
    this.refuseNext = undefined;
    this.calls = [];
    this.fetch = async (input, init) => {
      const call = { url: String(input), method: init?.method ?? "GET" };
      this.calls.push(call);
      if (this.down) throw new TypeError("fetch failed (connection refused)");
      if (this.refuseNext && call.url.includes(this.refuseNext.path)) {
        const { status, retryAfter } = this.refuseNext;
        this.refuseNext = undefined;
        return new Response(JSON.stringify({ status, title: "Service unavailable", detail: "Try again later.", code: "unavailable" }),
          { status, headers: { "Content-Type": "application/problem+json", "Retry-After": String(retryAfter) } });
      }
      const response = await fetch(input, init);
      if (this.loseNextAnswerTo && call.url.includes(this.loseNextAnswerTo)) {
        this.loseNextAnswerTo = undefined;
        await response.arrayBuffer();
        throw new TypeError("fetch failed (connection reset after the request was sent)");
      }
      return response;
    };
  }
  count(fragment) { return this.calls.filter((c) => c.url.includes(fragment)).length; }
}
