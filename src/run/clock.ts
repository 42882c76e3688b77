// Milliseconds for durations. The `performance` global loads perf_hooks on first use (~0.7 ms of
// start-up); process.hrtime is there already.
export const now = (): number => Number(process.hrtime.bigint()) / 1e6;
