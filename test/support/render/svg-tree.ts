import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** An SVG/XML element read back from text, for assertions. */
export interface XmlElement {
  readonly tag: string;
  readonly attrs: { [name: string]: string };
  readonly children: XmlElement[];
  /** The element's own text (entities decoded), without its children's. */
  readonly text: string;
}

/** Characters XML 1.0 does not allow in a document, escaped or not. */
 
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Throws with the parser's message unless `xml` is a well-formed XML document. */
export function assertWellFormed(xml: string): void {
  const result = XMLValidator.validate(xml);
  if (result !== true) {
    throw new Error(`not well-formed XML: ${result.err.msg} at line ${result.err.line}, column ${result.err.col}`);
  }
  const bad = NOT_XML_CHAR.exec(xml);
  if (bad) {
    throw new Error(`character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')} is not allowed in XML 1.0`);
  }
}

/** The document element of `xml`. */
export function parseXml(xml: string): XmlElement {
  const parser = new XMLParser({ ignoreAttributes: false, preserveOrder: true, trimValues: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false });
  const nodes = parser.parse(xml) as OrderedNode[];
  const roots = nodes.map(toElement).filter((e): e is XmlElement => e !== undefined && !e.tag.startsWith('?'));
  if (roots.length !== 1) {
    throw new Error(`expected one document element, found ${roots.length}`);
  }
  return roots[0];
}

type OrderedNode = { [key: string]: OrderedNode[] | { [attr: string]: string } | string };

function toElement(node: OrderedNode): XmlElement | undefined {
  const tag = Object.keys(node).find((k) => k !== ':@' && k !== '#text');
  if (tag === undefined) {
    return undefined;
  }
  const content = node[tag] as OrderedNode[];
  return {
    tag,
    attrs: { ...((node[':@'] as { [attr: string]: string }) ?? {}) },
    children: content.map(toElement).filter((e): e is XmlElement => e !== undefined),
    text: content.filter((c) => '#text' in c).map((c) => String(c['#text'])).join(''),
  };
}

/** Every element under `root` (itself included) matching `predicate`, in document order. */
export function findAll(root: XmlElement, predicate: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const visit = (e: XmlElement) => {
    if (predicate(e)) {
      out.push(e);
    }
    e.children.forEach(visit);
  };
  visit(root);
  return out;
}

export function hasClass(e: XmlElement, name: string): boolean {
  return (e.attrs.class ?? '').split(/\s+/).includes(name);
}
