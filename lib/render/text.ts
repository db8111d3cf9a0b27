/**
 * Text for diagrams: measuring it without a browser, wrapping it, and escaping it for XML.
 *
 * Widths come from the advance widths of DejaVu Sans (the default sans-serif font on Linux, with
 * Verdana-like metrics), in thousandths of an em, for ASCII 32..126. The SVG asks for DejaVu Sans
 * or Verdana first; narrower fallbacks (Arial, Helvetica) then fit with room to spare.
 */

const REGULAR = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636, 636,
  636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748,
  787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352,
  635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
];

const BOLD = [
  348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696, 696, 696, 696,
  696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850,
  733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435,
  716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
];

/** A few non-ASCII characters the diagrams use themselves; any other one counts as a full em. */
const OTHER: { [ch: string]: number } = { '·': 380, '×': 838, '…': 1000, '→': 838 };

export interface Font {
  readonly size: number;
  readonly bold?: boolean;
}

/** The width of `text` in pixels, set in DejaVu Sans at `font`. */
export function textWidth(text: string, font: Font): number {
  const table = font.bold ? BOLD : REGULAR;
  let thousandths = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    thousandths += code >= 32 && code <= 126 ? table[code - 32] : (OTHER[ch] ?? 1000);
  }
  return (thousandths * font.size) / 1000;
}

/**
 * Breaks `text` into lines no wider than `maxWidth`, at spaces where it can, inside long words
 * where it must. Never returns an empty list.
 */
export function wrapText(text: string, font: Font, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (textWidth(candidate, font) <= maxWidth) {
      line = candidate;
      continue;
    }
    if (line !== '') {
      lines.push(line);
    }
    line = '';
    for (const ch of word) {
      if (line !== '' && textWidth(line + ch, font) > maxWidth) {
        lines.push(line);
        line = '';
      }
      line += ch;
    }
  }
  if (line !== '' || lines.length === 0) {
    lines.push(line);
  }
  return lines;
}

/** `text` cut to at most `max` characters, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** Collapses line breaks, tabs and runs of spaces: diagram labels are laid out by the renderer. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Characters XML 1.0 does not allow at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF).
 * Escaping cannot save them, so they are replaced.
 */
 
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text safe inside an XML element or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
