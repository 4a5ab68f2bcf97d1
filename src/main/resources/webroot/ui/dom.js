// DOM building without HTML parsing: every string from the server goes in as text, never as markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An element with attributes and children; string children become text nodes. */
export function el(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/** An SVG element with attributes and children. */
export function svg(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

function fill(node, attrs, children) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null && value !== false) {
      node.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

/** Replaces a table body's rows. */
export function setRows(tbody, rows) {
  tbody.replaceChildren(...rows);
}

/** A number for a table cell: whole numbers as they are, others to one decimal. */
export function num(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    return '–';
  }
  return Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 1 : 0);
}
