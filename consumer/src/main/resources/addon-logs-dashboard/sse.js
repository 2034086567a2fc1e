// Server-sent events read from a fetch() body. EventSource cannot send an Authorization header, so the page reads
// the stream itself: lines end with LF, CRLF or CR; "field: value" (one optional space after the colon); lines
// starting with ":" are comments; a blank line dispatches the event (html.spec.whatwg.org, "event stream
// interpretation"). Each event carries its own id (the cursor the page resumes from with Last-Event-ID).

const LINE_END = /\r\n|\r|\n/g;

/**
 * Reads events from a ReadableStream of bytes until it ends, calling onEvent({event, id, data}) for each and
 * onBytes() for each chunk (a liveness signal, heartbeats included). onEvent returns a value to stop reading, which
 * is then returned; the end of the stream returns null. A failed read (an abort, a dropped connection) throws.
 */
export async function readEvents(body, onEvent, onBytes) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let block = { event: '', id: null, data: [] };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return null;
      onBytes();
      buffer += decoder.decode(value, { stream: true });
      LINE_END.lastIndex = 0;
      let start = 0;
      let match;
      while ((match = LINE_END.exec(buffer)) !== null) {
        // a CR at the end of what arrived may be the first half of a CRLF: wait for the next chunk
        if (match[0] === '\r' && match.index === buffer.length - 1) break;
        const line = buffer.slice(start, match.index);
        start = LINE_END.lastIndex;
        if (line === '') {
          if (block.data.length > 0 || block.event) {
            const stop = onEvent({ event: block.event || 'message', id: block.id, data: block.data.join('\n') });
            if (stop) return stop;
          }
          block = { event: '', id: null, data: [] };
        } else if (!line.startsWith(':')) {
          field(block, line);
        }
      }
      buffer = buffer.slice(start);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

function field(block, line) {
  const colon = line.indexOf(':');
  const name = colon < 0 ? line : line.slice(0, colon);
  let value = colon < 0 ? '' : line.slice(colon + 1);
  if (value.startsWith(' ')) value = value.slice(1);
  if (name === 'event') block.event = value;
  else if (name === 'data') block.data.push(value);
  else if (name === 'id' && !value.includes('\0')) block.id = value;
}
