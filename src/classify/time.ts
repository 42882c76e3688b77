// Times as rule files capture them → ISO-8601 in UTC, the envelope's form.

/** ISO-8601 in UTC when the text reads as a time (ISO, RFC 1123, epoch seconds), else undefined. */
export function normalizeTimestamp(text: string): string | undefined {
  const trimmed = text.trim();
  const epoch = /^\d{9,11}$/.test(trimmed) ? Number(trimmed) * 1000 : undefined;
  const ms =
    epoch ??
    Date.parse(
      trimmed.replace(/ UTC$/, "Z").replace(/^(\d{4}-\d\d-\d\d) (\d)/, "$1T$2"),
    );
  return Number.isNaN(ms)
    ? undefined
    : new Date(ms).toISOString().replace(".000Z", "Z");
}
