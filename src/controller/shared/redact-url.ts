// A clone URL may carry credentials (https://user:token@host/org/repo.git): they never go into a
// status, an Event or a log line the operator writes.

export function redactURL(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}
