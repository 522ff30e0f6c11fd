import { highlightSegments } from '@/lib/format';

/** A search hit's snippet with every match in <mark>; text nodes only, never HTML. */
export function Snippet({ snippet, offsets }: { snippet: string; offsets: Array<[number, number]> }) {
  return (
    <>
      {highlightSegments(snippet, offsets).map((segment, i) =>
        segment.hit ? <mark key={i}>{segment.text}</mark> : <span key={i}>{segment.text}</span>,
      )}
    </>
  );
}
