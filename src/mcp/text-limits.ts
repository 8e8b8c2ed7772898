/**
 * Output cut to what a model can take in: command output keeps its start and, longer, its end
 * (where errors and results usually are), with a marker saying how much was left out.
 */

export interface CutText {
  text: string;
  /** Characters left out; 0 when the text was whole. */
  omitted: number;
}

/** Moves `index` off the second half of a surrogate pair, so no character is cut in two. */
function onCharacterBoundary(text: string, index: number): number {
  const unit = text.charCodeAt(index);
  return unit >= 0xdc00 && unit <= 0xdfff ? index + 1 : index;
}

/** `text` within about `maxChars`: a quarter of the room for its start, the rest for its end. */
export function cutMiddle(text: string, maxChars: number): CutText {
  if (text.length <= maxChars) return { text, omitted: 0 };
  const headEnd = onCharacterBoundary(text, Math.floor(maxChars / 4));
  const tailStart = onCharacterBoundary(text, text.length - (maxChars - Math.floor(maxChars / 4)));
  const omitted = tailStart - headEnd;
  return {
    text: `${text.slice(0, headEnd)}\n[… ${omitted} characters left out …]\n${text.slice(tailStart)}`,
    omitted,
  };
}
