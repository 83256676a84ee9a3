//! The common shape of a JSON array of events read by hand: objects of the event's fields with
//! plain values (strings without escapes, numbers, `true`, `false`, `null`). Most request
//! bodies and exports are exactly that, and reading them this way skips serde's per-field
//! dispatch (several times the cost). Anything else (an escape, a nested value, a field of
//! the wrong type, a duplicate field, text that is not JSON) gives `None`, and the whole text
//! is read by serde instead, which also names what is wrong; a property test holds both
//! readers to the same batches.

use super::batch::{same, Batch, BatchBuilder, Policy};
use super::event::{EventParts, TimestampRef};
use crate::error::Result;

/// Reads `text` as a plain array of events, or `None` when it is not one (a string that is
/// not UTF-8 included). Only strings can hold bytes past ASCII, so only they are checked.
pub fn read(text: &[u8], policy: Policy) -> Option<Result<Batch>> {
    let mut r = Reader { s: text, at: 0 };
    let mut b = BatchBuilder::new(policy);
    r.blank();
    r.eat(b'[')?;
    r.blank();
    if r.peek()? == b']' {
        r.at += 1;
    } else {
        let mut row = 0u64;
        loop {
            row += 1;
            let parts = r.object()?;
            if let Err(e) = b.push(row, &parts, &same) {
                return Some(Err(e));
            }
            r.blank();
            match r.next()? {
                b',' => r.blank(),
                b']' => break,
                _ => return None,
            }
        }
    }
    r.blank();
    if r.at != r.s.len() {
        return None;
    }
    Some(b.finish())
}

/// A plain value.
enum Value<'a> {
    Text(&'a str),
    Number(&'a str),
    Bool(bool),
    Null,
}

struct Reader<'a> {
    s: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    /// Skips JSON whitespace.
    fn blank(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.at += 1;
        }
    }

    /// The bytes of a string without escapes or control characters, after its opening quote.
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let from = self.at;
        let rest = &self.s[from..];
        let len = rest
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
        if rest[len] != b'"' {
            return None;
        }
        self.at = from + len + 1;
        Some(&rest[..len])
    }

    /// A string, as [`Reader::bytes`], that is UTF-8.
    fn text(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }

    /// A number as JSON writes it: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Option<&'a str> {
        let from = self.at;
        let digits = |r: &mut Self| {
            let start = r.at;
            while let Some(b'0'..=b'9') = r.peek() {
                r.at += 1;
            }
            r.at - start
        };
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let int_from = self.at;
        let n = digits(self);
        if n == 0 || (n > 1 && self.s[int_from] == b'0') {
            return None;
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if digits(self) == 0 {
                return None;
            }
        }
        std::str::from_utf8(&self.s[from..self.at]).ok()
    }

    fn word(&mut self, w: &[u8]) -> Option<()> {
        let end = self.at + w.len();
        (self.s.get(self.at..end)? == w).then(|| self.at = end)
    }

    fn value(&mut self) -> Option<Value<'a>> {
        Some(match self.peek()? {
            b'"' => {
                self.at += 1;
                Value::Text(self.text()?)
            }
            b't' => self.word(b"true").map(|_| Value::Bool(true))?,
            b'f' => self.word(b"false").map(|_| Value::Bool(false))?,
            b'n' => self.word(b"null").map(|_| Value::Null)?,
            _ => Value::Number(self.number()?),
        })
    }

    /// One event object: its fields, each at most once; fields rapport does not know are
    /// passed over, as serde does.
    fn object(&mut self) -> Option<EventParts<'a>> {
        self.eat(b'{')?;
        let mut p = EventParts::default();
        let mut seen = 0u8;
        self.blank();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(p);
        }
        loop {
            self.blank();
            self.eat(b'"')?;
            // Keys are compared as bytes: one that is not UTF-8 matches none, and is passed
            // over as serde would refuse it (it then reads the text, and names the row).
            let key = self.bytes()?;
            if !key.is_ascii() {
                return None;
            }
            self.blank();
            self.eat(b':')?;
            self.blank();
            let v = self.value()?;
            let bit = field(&mut p, key, v)?;
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            self.blank();
            match self.next()? {
                b',' => {}
                b'}' => return Some(p),
                _ => return None,
            }
        }
    }
}

/// A number's value as serde_json reads it (with `float_roundtrip`, the nearest float): an
/// integer as a whole number, so `-0` is zero; `None` past the largest float.
fn number(n: &str) -> Option<f64> {
    if let Some(v) = short_decimal(n) {
        return Some(v);
    }
    // JSON has no infinity: serde refuses a number past the largest float, and names it.
    let v: f64 = n.parse().ok().filter(|v: &f64| v.is_finite())?;
    let whole = !n.bytes().any(|c| matches!(c, b'.' | b'e' | b'E'));
    Some(if whole && v == 0.0 { 0.0 } else { v })
}

/// A number of at most 15 digits and no exponent (epoch milliseconds, amounts, counts), as the
/// nearest float: its digits are a whole number below 2⁵³, exact as a float, and one division
/// by an exact power of ten rounds correctly (Clinger's fast path). `None` for other numbers.
fn short_decimal(n: &str) -> Option<f64> {
    let (negative, body) = match n.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, n),
    };
    // 15 digits and a point at most: the digits then fit a u64 (and a float) exactly.
    if body.len() > 16 {
        return None;
    }
    let (mut digits, mut scale, mut point) = (0u64, 0i32, false);
    for c in body.bytes() {
        match c {
            b'0'..=b'9' => {
                digits = digits * 10 + u64::from(c - b'0');
                scale += i32::from(point);
            }
            b'.' => point = true,
            _ => return None,
        }
    }
    if body.len() > 15 + usize::from(point) {
        return None;
    }
    const TEN: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let v = digits as f64 / TEN[scale as usize];
    // An integer is read as a whole number, so `-0` is zero; `-0.0` stays negative.
    Some(if negative && (point || v != 0.0) {
        -v
    } else {
        v
    })
}

/// Sets the field `key` of `p` from `v`: its bit among the fields seen (0 for an unknown key),
/// or `None` when the value is of a type serde would refuse (or read otherwise) there.
fn field<'a>(p: &mut EventParts<'a>, key: &[u8], v: Value<'a>) -> Option<u8> {
    let num = |v: &Value| match v {
        Value::Number(n) => Some(Some(number(n)?)),
        Value::Null => Some(None),
        _ => None,
    };
    let text = |v: &Value<'a>| match *v {
        Value::Text(t) => Some(Some(t)),
        Value::Null => Some(None),
        _ => None,
    };
    Some(match key {
        // A client id given as a number is read by serde (it becomes its decimal text).
        b"clientId" => {
            p.client_id = text(&v)?;
            1
        }
        b"timestamp" => {
            p.timestamp = match v {
                Value::Text(t) => Some(TimestampRef::Text(t)),
                Value::Number(n) => Some(TimestampRef::EpochMs(number(n)?)),
                Value::Null => None,
                Value::Bool(_) => return None,
            };
            2
        }
        b"kind" => {
            p.kind = text(&v)?;
            4
        }
        b"feature" => {
            p.feature = text(&v)?;
            8
        }
        b"value" => {
            p.value = num(&v)?;
            16
        }
        b"messages" => {
            p.messages = num(&v)?;
            32
        }
        b"reopened" => {
            p.reopened = match v {
                Value::Bool(b) => Some(b),
                Value::Null => None,
                _ => return None,
            };
            64
        }
        b"cost" => {
            p.cost = num(&v)?;
            128
        }
        _ => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::batch::Mode;
    use proptest::prelude::*;

    use crate::input::batch::same_reading as same;

    const KEYS: &[&str] = &[
        "clientId",
        "timestamp",
        "kind",
        "feature",
        "value",
        "messages",
        "reopened",
        "cost",
        "extra",
        "clientId",
        "kind",
    ];
    const TEXTS: &[&str] = &[
        "\"a\"",
        "\"b\"",
        "\"é\"",
        "\" a \"",
        "\"\"",
        "\"usage\"",
        "\"Purchase\"",
        "\"support\"",
        "\"login\"",
        "\"nope\"",
        "null",
    ];
    const STAMPS: &[&str] = &[
        "\"2024-06-01\"",
        "\"2024-06-30T10:00:00+02:00\"",
        "\"20240601\"",
        "\"June\"",
        "1717000000000",
        "1.7e12",
        "-0",
        "0",
        "123456789012345678901234",
        "1e400",
        "null",
    ];
    const NUMBERS: &[&str] = &[
        "0",
        "-0",
        "-0.0",
        "12",
        "12.5",
        "1e3",
        "1E-2",
        "-3",
        "0.1",
        "17170000000001",
        "2.2250738585072011e-308",
        "0.30000000000000004",
        "1e400",
        "null",
        "1689413450010.0",
        "-12.75",
        "0.000001",
        "999999999999999",
        "9999999999999999",
        "99999999999999.99",
        "0.123456789012345",
        "-0.5",
        "3.14159",
    ];
    const ANY: &[&str] = &[
        "\"c\\u0041\"",
        "\"x\\\"y\"",
        "01",
        "1.",
        ".5",
        "1e",
        "true",
        "false",
        "[1,2]",
        "{\"a\":1}",
        "nul",
        "7x",
        "\"2024-06-01\"",
        "5",
    ];

    /// A value for `key`: mostly of its type, sometimes anything.
    fn value(key: &str, pick: usize) -> &'static str {
        let of_type = match key {
            "clientId" | "kind" | "feature" => TEXTS,
            "timestamp" => STAMPS,
            "reopened" => &["true", "false", "null"][..],
            "extra" => ANY,
            _ => NUMBERS,
        };
        if pick.is_multiple_of(10) {
            ANY[pick / 10 % ANY.len()]
        } else {
            of_type[pick % of_type.len()]
        }
    }

    fn text() -> impl Strategy<Value = String> {
        let field = (0..KEYS.len(), any::<u16>(), 0..3usize);
        let row = prop::collection::vec(field, 0..7);
        (prop::collection::vec(row, 0..6), 0..6usize, any::<u16>()).prop_map(
            |(rows, glitch, at)| {
                let gap = |k: usize| [" ", "", "\n ", "\t"][k % 4];
                let rows: Vec<String> = rows
                    .iter()
                    .map(|fields| {
                        // Each row has the three required fields first, unless glitched.
                        let mut f: Vec<String> = vec![];
                        if glitch != 5 {
                            f.push(r#""clientId":"c""#.into());
                            f.push(r#""timestamp":"2024-06-01""#.into());
                            f.push(r#""kind":"usage""#.into());
                        }
                        f.extend(
                            fields
                                .iter()
                                .filter(|&&(k, _, _)| glitch == 5 || k > 2)
                                .map(|&(k, v, g)| {
                                    let key = KEYS[k];
                                    format!(
                                        "{}\"{key}\"{}:{}{}",
                                        gap(g),
                                        gap(g + 1),
                                        gap(g),
                                        value(key, v as usize)
                                    )
                                }),
                        );
                        format!("{{{}}}", f.join(","))
                    })
                    .collect();
                let mut t = format!("[{}]", rows.join(",\n"));
                let at = at as usize % (t.len() + 1);
                match glitch {
                    1 if t.is_char_boundary(at) => t.truncate(at),
                    2 if t.is_char_boundary(at) => t.insert(at, ','),
                    _ => {}
                }
                t
            },
        )
    }

    static PLAIN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn plain_rows_read_as_serde_reads_them(t in text(), lenient in any::<bool>()) {
            let mode = if lenient { Mode::Lenient } else { Mode::Strict };
            let policy = Policy::new(mode, 50);
            if let Some(fast) = read(t.as_bytes(), policy) {
                let slow = crate::input::json::through_serde(t.as_bytes(), policy);
                prop_assert!(same(&fast, &slow), "{t}\nplain {fast:?}\nserde {slow:?}");
                PLAIN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }

    #[test]
    fn the_common_shape_is_read_plainly() {
        // The property test above compares on texts the plain reader takes: enough of them.
        plain_rows_read_as_serde_reads_them();
        assert!(PLAIN.load(std::sync::atomic::Ordering::Relaxed) > 500);
        let t = r#"[{"clientId":"a","timestamp":1717000000000,"kind":"usage","feature":"x"},
            {"clientId":"b","timestamp":"2024-06-01","kind":"purchase","value":12.5,"extra":null}]"#;
        let b = read(t.as_bytes(), Policy::new(Mode::Strict, 5))
            .expect("plain")
            .unwrap();
        assert_eq!((b.rows, b.clients.len(), b.features.len()), (2, 2, 1));
        // Escapes, nested values and numeric ids are left to serde.
        for t in [
            r#"[{"clientId":"a\n"}]"#,
            r#"[{"x":[1]}]"#,
            r#"[{"clientId":7}]"#,
        ] {
            assert!(
                read(t.as_bytes(), Policy::new(Mode::Strict, 5)).is_none(),
                "{t}"
            );
        }
    }
}
