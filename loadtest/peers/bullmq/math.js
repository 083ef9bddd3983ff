// The math agent's job, as the Java worker does it: take the expression out of the question and
// evaluate it (numbers, + - * / % ^, parentheses; no eval()).
export function expressionOf(query) {
  return String(query)
    .replace(/^\s*(what\s+is|compute|calculate)\s+/i, '')
    .replace(/[?=\s]+$/g, '')
    .trim();
}

export function evaluate(text) {
  let pos = 0;
  const peek = () => {
    while (text[pos] === ' ') pos++;
    return text[pos];
  };
  const expect = (c) => {
    if (peek() !== c) throw new Error(`expected '${c}' at ${pos}`);
    pos++;
  };
  const number = () => {
    peek();
    const m = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos));
    if (!m) throw new Error(`number expected at ${pos}`);
    pos += m[0].length;
    return Number(m[0]);
  };
  const primary = () => {
    const c = peek();
    if (c === '(') {
      pos++;
      const v = sum();
      expect(')');
      return v;
    }
    if (c === '-') {
      pos++;
      return -primary();
    }
    if (c === '+') {
      pos++;
      return primary();
    }
    return number();
  };
  const power = () => {
    const base = primary();
    if (peek() === '^') {
      pos++;
      return base ** power();
    }
    return base;
  };
  const product = () => {
    let v = power();
    for (let c = peek(); c === '*' || c === '/' || c === '%'; c = peek()) {
      pos++;
      const r = power();
      v = c === '*' ? v * r : c === '/' ? v / r : v % r;
    }
    return v;
  };
  const sum = () => {
    let v = product();
    for (let c = peek(); c === '+' || c === '-'; c = peek()) {
      pos++;
      const r = product();
      v = c === '+' ? v + r : v - r;
    }
    return v;
  };
  if (text.length > 1000) throw new Error('expression too long');
  const value = sum();
  if (peek() !== undefined) throw new Error(`unexpected '${peek()}' at ${pos}`);
  return value;
}
