//! The natural-language transforms (`featuretools/primitives/standard/transform/natural_language/`):
//! COUNT_STRING and the counts built on it (hashtags, mentions, punctuation, title words, upper
//! case letters, whitespace), word lengths, unique words and separators, common words, words in
//! quotes, upper-case words.
//!
//! featuretools computes them with Python's `re` and `str` methods; [`py`] reproduces those on
//! Unicode text: Python's own `\w`, `\d` and `\s` (tables generated from Python), its `$`, `\b`
//! and `\B`, and `findall`/`split`/`sub`/`search` as `re` iterates matches. A user's regex argument
//! is translated from Python's syntax; what cannot be reproduced is refused by argument name.

use std::collections::HashSet;
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array};

use super::{Dtype, Transform};
use crate::primitives::registry::{Args, Entry};
use crate::primitives::{float_out, strings, Implementation};

/// Python's string and `re` semantics, as featuretools' text primitives use them.
pub(crate) mod py {
    use std::cmp::Ordering;
    use std::fmt::Write;
    use std::sync::OnceLock;

    /// `string.punctuation`.
    pub(crate) const PUNCTUATION: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /// Sorted, disjoint, inclusive code point ranges.
    pub(crate) type Ranges = Vec<(u32, u32)>;

    fn parse_ranges(s: &str) -> Ranges {
        s.split_whitespace()
            .map(|r| {
                let (a, b) = r.split_once('-').expect("a generated range");
                let hex = |x: &str| u32::from_str_radix(x, 16).expect("a generated code point");
                (hex(a), hex(b))
            })
            .collect()
    }

    /// Python's `\w`.
    pub(crate) fn word() -> &'static Ranges {
        static T: OnceLock<Ranges> = OnceLock::new();
        T.get_or_init(|| parse_ranges(super::PY_WORD))
    }

    /// Python's `\d`.
    pub(crate) fn digit() -> &'static Ranges {
        static T: OnceLock<Ranges> = OnceLock::new();
        T.get_or_init(|| parse_ranges(super::PY_DIGIT))
    }

    /// Python's `\s` and `str.isspace()`.
    pub(crate) fn space() -> &'static Ranges {
        static T: OnceLock<Ranges> = OnceLock::new();
        T.get_or_init(|| parse_ranges(super::PY_SPACE))
    }

    fn contains(r: &Ranges, c: char) -> bool {
        let c = c as u32;
        r.binary_search_by(|&(lo, hi)| {
            if hi < c {
                Ordering::Less
            } else if lo > c {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        })
        .is_ok()
    }

    /// `str.isspace()` (Python's `\s`).
    pub(crate) fn is_space(c: char) -> bool {
        if c.is_ascii() {
            matches!(c, '\t'..='\r' | '\x1c'..='\x1f' | ' ')
        } else {
            contains(space(), c)
        }
    }

    /// `s.strip(string.punctuation)`.
    pub(crate) fn strip_punctuation(s: &str) -> &str {
        s.trim_matches(|c| PUNCTUATION.contains(c))
    }

    /// `s.strip()`.
    pub(crate) fn strip(s: &str) -> &str {
        s.trim_matches(is_space)
    }

    /// `s.split()`: the runs of non-whitespace.
    pub(crate) fn split_whitespace(s: &str) -> impl Iterator<Item = &str> {
        s.split(is_space).filter(|w| !w.is_empty())
    }

    fn normalize(mut r: Ranges) -> Ranges {
        r.sort_unstable();
        let mut out: Ranges = Vec::with_capacity(r.len());
        for (lo, hi) in r {
            match out.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        out
    }

    fn complement(r: &Ranges) -> Ranges {
        let mut out = Vec::with_capacity(r.len() + 1);
        let mut next = 0u32;
        for &(lo, hi) in r {
            if lo > next {
                out.push((next, lo - 1));
            }
            next = hi + 1;
        }
        if next <= 0x10FFFF {
            out.push((next, 0x10FFFF));
        }
        out
    }

    /// `re.escape(s)`.
    pub(crate) fn escape(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if "()[]{}?*+-|^$\\.&~# \t\n\r\x0b\x0c".contains(c) {
                out.push('\\');
            }
            out.push(c);
        }
        out
    }

    #[derive(Debug, Clone)]
    enum Node {
        Lit(char),
        Set(Ranges),
        Start,
        End,
        EndAbs,
        LineStart,
        LineEnd,
        Bound,
        NotBound,
        Group(bool, Box<Node>),
        Look {
            behind: bool,
            negate: bool,
            node: Box<Node>,
        },
        Concat(Vec<Node>),
        Alt(Vec<Node>),
        Repeat {
            node: Box<Node>,
            min: u32,
            max: Option<u32>,
            lazy: bool,
        },
    }

    impl Node {
        fn is_anchor(&self) -> bool {
            matches!(
                self,
                Node::Start
                    | Node::End
                    | Node::EndAbs
                    | Node::LineStart
                    | Node::LineEnd
                    | Node::Bound
                    | Node::NotBound
            )
        }

        /// The fewest and most characters a match takes (None: unbounded).
        fn lengths(&self) -> (usize, Option<usize>) {
            match self {
                Node::Lit(_) | Node::Set(_) => (1, Some(1)),
                Node::Group(_, n) => n.lengths(),
                Node::Concat(v) => v.iter().fold((0, Some(0)), |(a, b), n| {
                    let (x, y) = n.lengths();
                    (
                        a.saturating_add(x),
                        b.zip(y).map(|(b, y)| b.saturating_add(y)),
                    )
                }),
                Node::Alt(v) => {
                    let l: Vec<_> = v.iter().map(Node::lengths).collect();
                    let min = l.iter().map(|x| x.0).min().unwrap_or(0);
                    let max = l.iter().try_fold(0usize, |m, x| x.1.map(|y| m.max(y)));
                    (min, max)
                }
                Node::Repeat { node, min, max, .. } => {
                    let (a, b) = node.lengths();
                    let hi = match (b, max) {
                        (Some(0), _) => Some(0),
                        (Some(b), Some(m)) => Some(b.saturating_mul(*m as usize)),
                        _ => None,
                    };
                    (a.saturating_mul(*min as usize), hi)
                }
                _ => (0, Some(0)),
            }
        }
    }

    struct Parser {
        chars: Vec<char>,
        pos: usize,
        groups: usize,
        dotall: bool,
        multiline: bool,
    }

    fn unsupported(what: &str) -> String {
        format!("uses {what}, which ftpart does not reproduce")
    }

    impl Parser {
        fn peek(&self) -> Option<char> {
            self.chars.get(self.pos).copied()
        }

        fn eat(&mut self, c: char) -> bool {
            if self.peek() == Some(c) {
                self.pos += 1;
                true
            } else {
                false
            }
        }

        fn next(&mut self) -> Option<char> {
            let c = self.peek()?;
            self.pos += 1;
            Some(c)
        }

        fn hex(&mut self, n: usize, what: &str) -> Result<u32, String> {
            let mut v = 0u32;
            for i in 0..n {
                match self.peek().and_then(|c| c.to_digit(16)) {
                    Some(d) => {
                        v = v * 16 + d;
                        self.pos += 1;
                    }
                    None => {
                        return Err(format!(
                            "has an incomplete escape \\{what} ({i} hex digits)"
                        ))
                    }
                }
            }
            Ok(v)
        }

        fn octal_more(&mut self, mut v: u32, n: usize) -> u32 {
            for _ in 0..n {
                match self.peek().and_then(|c| c.to_digit(8)) {
                    Some(d) => {
                        v = v * 8 + d;
                        self.pos += 1;
                    }
                    None => break,
                }
            }
            v
        }

        fn category(c: char) -> Option<Ranges> {
            match c {
                'd' => Some(digit().clone()),
                'D' => Some(complement(digit())),
                's' => Some(space().clone()),
                'S' => Some(complement(space())),
                'w' => Some(word().clone()),
                'W' => Some(complement(word())),
                _ => None,
            }
        }

        fn control(c: char) -> Option<u32> {
            Some(match c {
                'a' => 7,
                'f' => 0xC,
                'n' => 0xA,
                'r' => 0xD,
                't' => 9,
                'v' => 0xB,
                _ => return None,
            })
        }

        /// A code point from `\x`, `\u`, `\U` escapes, or None for another escape.
        fn code_escape(&mut self, c: char) -> Result<Option<u32>, String> {
            Ok(Some(match c {
                'x' => self.hex(2, "x")?,
                'u' => self.hex(4, "u")?,
                'U' => {
                    let v = self.hex(8, "U")?;
                    if v > 0x10FFFF {
                        return Err(format!("has a bad escape \\U{v:08x}"));
                    }
                    v
                }
                'N' => return Err(unsupported("a named character escape \\N{...}")),
                _ => return Ok(None),
            }))
        }

        fn literal(v: u32) -> Node {
            match char::from_u32(v) {
                Some(c) => Node::Lit(c),
                // A surrogate: never in text.
                None => Node::Set(Vec::new()),
            }
        }

        /// An escape inside a character class: a code point or a set.
        fn class_escape(&mut self) -> Result<Result<u32, Ranges>, String> {
            let c = self.next().ok_or("ends with a bare backslash")?;
            if c == 'b' {
                return Ok(Ok(8));
            }
            if let Some(v) = Self::control(c) {
                return Ok(Ok(v));
            }
            if let Some(r) = Self::category(c) {
                return Ok(Err(r));
            }
            if let Some(v) = self.code_escape(c)? {
                return Ok(Ok(v));
            }
            if let Some(d) = c.to_digit(8) {
                let v = self.octal_more(d, 2);
                if v > 0o377 {
                    return Err(format!("has an octal escape outside 0-0o377 (\\{v:o})"));
                }
                return Ok(Ok(v));
            }
            if c.is_ascii_alphanumeric() {
                return Err(format!("has a bad escape \\{c}"));
            }
            Ok(Ok(c as u32))
        }

        fn class(&mut self) -> Result<Ranges, String> {
            let negate = self.eat('^');
            let mut set: Ranges = Vec::new();
            let mut items = 0usize;
            let token = |p: &mut Parser| -> Result<Option<Result<u32, Ranges>>, String> {
                match p.next() {
                    None => Err("has an unterminated character set".to_string()),
                    Some('\\') => p.class_escape().map(Some),
                    Some(c) => Ok(Some(Ok(c as u32))),
                }
            };
            loop {
                if self.peek() == Some(']') && items > 0 {
                    self.pos += 1;
                    break;
                }
                let code1 = token(self)?.expect("a token");
                items += 1;
                if self.eat('-') {
                    if self.peek().is_none() {
                        return Err("has an unterminated character set".to_string());
                    }
                    if self.peek() == Some(']') {
                        self.pos += 1;
                        match code1 {
                            Ok(v) => set.push((v, v)),
                            Err(r) => set.extend(r),
                        }
                        set.push(('-' as u32, '-' as u32));
                        break;
                    }
                    let code2 = token(self)?.expect("a token");
                    match (code1, code2) {
                        (Ok(lo), Ok(hi)) if lo <= hi => set.push((lo, hi)),
                        _ => return Err("has a bad character range".to_string()),
                    }
                } else {
                    match code1 {
                        Ok(v) => set.push((v, v)),
                        Err(r) => set.extend(r),
                    }
                }
            }
            let set = normalize(set);
            Ok(if negate { complement(&set) } else { set })
        }

        fn escape(&mut self) -> Result<Node, String> {
            let c = self.next().ok_or("ends with a bare backslash")?;
            match c {
                'A' => return Ok(Node::Start),
                'Z' => return Ok(Node::EndAbs),
                'b' => return Ok(Node::Bound),
                'B' => return Ok(Node::NotBound),
                _ => {}
            }
            if let Some(r) = Self::category(c) {
                return Ok(Node::Set(r));
            }
            if let Some(v) = Self::control(c) {
                return Ok(Self::literal(v));
            }
            if let Some(v) = self.code_escape(c)? {
                return Ok(Self::literal(v));
            }
            if c == '0' {
                return Ok(Self::literal(self.octal_more(0, 2)));
            }
            if let Some(d) = c.to_digit(10) {
                if let Some(d2) = self.peek().and_then(|x| x.to_digit(10)) {
                    let third = self.chars.get(self.pos + 1).and_then(|x| x.to_digit(8));
                    if d < 8 && d2 < 8 && third.is_some() {
                        self.pos += 2;
                        let v = (d * 8 + d2) * 8 + third.unwrap_or(0);
                        if v > 0o377 {
                            return Err(format!("has an octal escape outside 0-0o377 (\\{v:o})"));
                        }
                        return Ok(Self::literal(v));
                    }
                }
                return Err(unsupported("a backreference"));
            }
            if c.is_ascii_alphabetic() {
                return Err(format!("has a bad escape \\{c}"));
            }
            Ok(Node::Lit(c))
        }

        /// After `(`: a group, or None for a comment or global flags.
        fn group(&mut self, at: usize) -> Result<Option<Node>, String> {
            if !self.eat('?') {
                self.groups += 1;
                let n = self.alt()?;
                self.close()?;
                return Ok(Some(Node::Group(true, Box::new(n))));
            }
            match self.next() {
                Some(':') => {
                    let n = self.alt()?;
                    self.close()?;
                    Ok(Some(Node::Group(false, Box::new(n))))
                }
                Some('P') => match self.next() {
                    Some('<') => {
                        let start = self.pos;
                        while self.peek().is_some_and(|c| c != '>') {
                            self.pos += 1;
                        }
                        let name: String = self.chars[start..self.pos].iter().collect();
                        if !self.eat('>')
                            || name.is_empty()
                            || name.starts_with(|c: char| c.is_ascii_digit())
                            || !name.chars().all(|c| c == '_' || c.is_alphanumeric())
                        {
                            return Err(format!("has a bad group name '{name}'"));
                        }
                        self.groups += 1;
                        let n = self.alt()?;
                        self.close()?;
                        Ok(Some(Node::Group(true, Box::new(n))))
                    }
                    Some('=') => Err(unsupported("a backreference (?P=...)")),
                    _ => Err("has an unknown extension (?P".to_string()),
                },
                Some('#') => {
                    while let Some(c) = self.next() {
                        if c == ')' {
                            return Ok(None);
                        }
                    }
                    Err("has a missing ), unterminated comment".to_string())
                }
                Some(c @ ('=' | '!')) => self.look(false, c == '!').map(Some),
                Some('<') => match self.next() {
                    Some(c @ ('=' | '!')) => self.look(true, c == '!').map(Some),
                    _ => Err("has an unknown extension (?<".to_string()),
                },
                Some('>') => Err(unsupported("an atomic group (?>...)")),
                Some('(') => Err(unsupported("a conditional group (?(...)...)")),
                Some(c) if c == '-' || c.is_ascii_alphabetic() => {
                    self.pos -= 1;
                    self.flags(at)
                }
                _ => Err("has an unknown extension (?".to_string()),
            }
        }

        fn look(&mut self, behind: bool, negate: bool) -> Result<Node, String> {
            let n = self.alt()?;
            self.close()?;
            if behind {
                let (a, b) = n.lengths();
                if b != Some(a) {
                    return Err("has a look-behind that is not of fixed width".to_string());
                }
            }
            Ok(Node::Look {
                behind,
                negate,
                node: Box::new(n),
            })
        }

        fn flags(&mut self, at: usize) -> Result<Option<Node>, String> {
            let mut add = String::new();
            while let Some(c) = self.peek().filter(char::is_ascii_alphabetic) {
                add.push(c);
                self.pos += 1;
            }
            let mut del = String::new();
            if self.eat('-') {
                while let Some(c) = self.peek().filter(char::is_ascii_alphabetic) {
                    del.push(c);
                    self.pos += 1;
                }
            }
            for c in add.chars().chain(del.chars()) {
                if !matches!(c, 's' | 'm' | 'u') {
                    return Err(unsupported(&format!("the inline flag '{c}'")));
                }
            }
            if del.contains('u') {
                return Err("has a bad inline flag: cannot turn off 'u'".to_string());
            }
            let set = |p: &mut Parser, on: bool| {
                for c in if on { add.chars() } else { del.chars() } {
                    match c {
                        's' => p.dotall = on,
                        'm' => p.multiline = on,
                        _ => {}
                    }
                }
            };
            if self.eat(')') {
                if at != 0 || !del.is_empty() {
                    return Err("has global flags not at the start of the expression".to_string());
                }
                set(self, true);
                return Ok(None);
            }
            if !self.eat(':') {
                return Err("has a bad inline flag group".to_string());
            }
            let saved = (self.dotall, self.multiline);
            set(self, true);
            set(self, false);
            let n = self.alt()?;
            (self.dotall, self.multiline) = saved;
            self.close()?;
            Ok(Some(Node::Group(false, Box::new(n))))
        }

        fn close(&mut self) -> Result<(), String> {
            if self.eat(')') {
                Ok(())
            } else {
                Err("has a missing ), unterminated subpattern".to_string())
            }
        }

        fn alt(&mut self) -> Result<Node, String> {
            let mut alts = vec![self.seq()?];
            while self.eat('|') {
                alts.push(self.seq()?);
            }
            Ok(if alts.len() == 1 {
                alts.pop().expect("one alternative")
            } else {
                Node::Alt(alts)
            })
        }

        /// `{m,n}` after `{` when it is a repeat (else None, at the same place).
        fn braces(&mut self) -> Result<Option<(u32, Option<u32>)>, String> {
            let here = self.pos;
            if self.peek() == Some('}') {
                return Ok(None);
            }
            let digits = |p: &mut Parser| {
                let start = p.pos;
                while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                    p.pos += 1;
                }
                p.chars[start..p.pos].iter().collect::<String>()
            };
            let lo = digits(self);
            let hi = if self.eat(',') {
                digits(self)
            } else {
                lo.clone()
            };
            if !self.eat('}') {
                self.pos = here;
                return Ok(None);
            }
            let num = |s: &str| -> Result<Option<u32>, String> {
                if s.is_empty() {
                    return Ok(None);
                }
                s.parse::<u32>()
                    .ok()
                    .filter(|&v| v < u32::MAX)
                    .map(Some)
                    .ok_or_else(|| "has a repetition number too large".to_string())
            };
            let min = num(&lo)?.unwrap_or(0);
            let max = num(&hi)?;
            if max.is_some_and(|m| m < min) {
                return Err("has a min repeat greater than max repeat".to_string());
            }
            Ok(Some((min, max)))
        }

        fn seq(&mut self) -> Result<Node, String> {
            let mut items: Vec<Node> = Vec::new();
            while let Some(c) = self.peek() {
                if c == '|' || c == ')' {
                    break;
                }
                let at = self.pos;
                self.pos += 1;
                let repeat = match c {
                    '*' => Some((0, None)),
                    '+' => Some((1, None)),
                    '?' => Some((0, Some(1))),
                    '{' => self.braces()?,
                    _ => None,
                };
                if let Some((min, max)) = repeat {
                    let item = match items.pop() {
                        Some(n) if !n.is_anchor() => n,
                        _ => return Err("has nothing to repeat".to_string()),
                    };
                    if matches!(item, Node::Repeat { .. }) {
                        return Err("has a multiple repeat".to_string());
                    }
                    let lazy = self.eat('?');
                    if !lazy && self.peek() == Some('+') {
                        return Err(unsupported("a possessive quantifier"));
                    }
                    items.push(Node::Repeat {
                        node: Box::new(item),
                        min,
                        max,
                        lazy,
                    });
                    continue;
                }
                let item = match c {
                    '(' => match self.group(at)? {
                        Some(n) => n,
                        None => continue,
                    },
                    '[' => Node::Set(self.class()?),
                    '.' if self.dotall => Node::Set(vec![(0, 0x10FFFF)]),
                    '.' => Node::Set(vec![(0, 9), (11, 0x10FFFF)]),
                    '^' if self.multiline => Node::LineStart,
                    '^' => Node::Start,
                    '$' if self.multiline => Node::LineEnd,
                    '$' => Node::End,
                    '\\' => self.escape()?,
                    c => Node::Lit(c),
                };
                items.push(item);
            }
            Ok(if items.len() == 1 {
                items.pop().expect("one item")
            } else {
                Node::Concat(items)
            })
        }
    }

    fn emit_set(r: &Ranges, out: &mut String) {
        if r.is_empty() {
            out.push_str("(?!)");
            return;
        }
        out.push('[');
        for &(lo, hi) in r {
            if lo == hi {
                let _ = write!(out, "\\x{{{lo:X}}}");
            } else {
                let _ = write!(out, "\\x{{{lo:X}}}-\\x{{{hi:X}}}");
            }
        }
        out.push(']');
    }

    fn emit(n: &Node, out: &mut String) {
        match n {
            Node::Lit(c) if c.is_ascii_alphanumeric() => out.push(*c),
            Node::Lit(c) => {
                let _ = write!(out, "\\x{{{:X}}}", *c as u32);
            }
            Node::Set(r) => emit_set(r, out),
            Node::Start => out.push_str(r"\A"),
            Node::End => out.push_str(r"(?=\n?\z)"),
            Node::EndAbs => out.push_str(r"\z"),
            Node::LineStart => out.push_str(r"(?:\A|(?<=\n))"),
            Node::LineEnd => out.push_str(r"(?=\n|\z)"),
            Node::Bound | Node::NotBound => {
                let mut w = String::new();
                emit_set(word(), &mut w);
                if matches!(n, Node::Bound) {
                    let _ = write!(out, "(?:(?<={w})(?!{w})|(?<!{w})(?={w}))");
                } else {
                    // Python's \B does not match in empty text.
                    let _ = write!(
                        out,
                        r"(?:(?<={w})(?={w})|(?<!{w})(?!{w})(?:(?<=[\x{{0}}-\x{{10FFFF}}])|(?=[\x{{0}}-\x{{10FFFF}}])))"
                    );
                }
            }
            Node::Group(capture, n) => {
                out.push_str(if *capture { "(" } else { "(?:" });
                emit(n, out);
                out.push(')');
            }
            Node::Look {
                behind,
                negate,
                node,
            } => {
                out.push_str(match (behind, negate) {
                    (false, false) => "(?=",
                    (false, true) => "(?!",
                    (true, false) => "(?<=",
                    (true, true) => "(?<!",
                });
                emit(node, out);
                out.push(')');
            }
            Node::Concat(v) => v.iter().for_each(|n| emit(n, out)),
            Node::Alt(v) => {
                out.push_str("(?:");
                for (i, n) in v.iter().enumerate() {
                    if i > 0 {
                        out.push('|');
                    }
                    emit(n, out);
                }
                out.push(')');
            }
            Node::Repeat {
                node,
                min,
                max,
                lazy,
            } => {
                out.push_str("(?:");
                emit(node, out);
                out.push(')');
                let _ = match max {
                    Some(m) => write!(out, "{{{min},{m}}}"),
                    None => write!(out, "{{{min},}}"),
                };
                if *lazy {
                    out.push('?');
                }
            }
        }
    }

    /// A Python regular expression (a `str` pattern, default flags) compiled for ftpart.
    pub(crate) struct Regex {
        re: fancy_regex::Regex,
        pattern: String,
        /// The fewest characters a match takes.
        pub(crate) min: usize,
        /// The most characters a match takes (None: unbounded).
        pub(crate) max: Option<usize>,
        /// The number of capturing groups.
        pub(crate) groups: usize,
    }

    impl std::fmt::Debug for Regex {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "re.compile({:?})", self.pattern)
        }
    }

    impl Regex {
        /// Compiles Python's `pattern`; the error says what cannot be reproduced.
        pub(crate) fn new(pattern: &str) -> Result<Regex, String> {
            let mut p = Parser {
                chars: pattern.chars().collect(),
                pos: 0,
                groups: 0,
                dotall: false,
                multiline: false,
            };
            let node = p.alt()?;
            if p.pos < p.chars.len() {
                return Err("has an unbalanced parenthesis".to_string());
            }
            let mut out = String::new();
            emit(&node, &mut out);
            let re = fancy_regex::RegexBuilder::new(&out)
                .backtrack_limit(usize::MAX)
                .delegate_size_limit(1 << 26)
                .build()
                .map_err(|e| format!("cannot be compiled by ftpart's regex engine ({e})"))?;
            let (min, max) = node.lengths();
            Ok(Regex {
                re,
                pattern: pattern.to_string(),
                min,
                max,
                groups: p.groups,
            })
        }

        /// Refuses a pattern that can match both empty and non-empty text: Python's `re` steps
        /// past an empty match by looking for a non-empty one at the same place, which ftpart's
        /// engine cannot do.
        pub(crate) fn iterable(self) -> Result<Regex, String> {
            if self.min == 0 && self.max != Some(0) {
                return Err(unsupported(
                    "a pattern that can match both empty and non-empty text (Python's re \
                     iterates such matches in its own way)",
                ));
            }
            Ok(self)
        }

        fn find_at(&self, text: &str, pos: usize) -> Result<Option<(usize, usize)>, String> {
            self.re
                .find_from_pos(text, pos)
                .map(|m| m.map(|m| (m.start(), m.end())))
                .map_err(|e| format!("regex {:?} failed: {e}", self.pattern))
        }

        /// The matches `re.finditer` gives (byte ranges).
        pub(crate) fn matches(&self, text: &str) -> Result<Vec<(usize, usize)>, String> {
            let mut out = Vec::new();
            let mut pos = 0;
            while pos <= text.len() {
                let Some((s, e)) = self.find_at(text, pos)? else {
                    break;
                };
                out.push((s, e));
                pos = if e > s {
                    e
                } else {
                    match text[e..].chars().next() {
                        Some(c) => e + c.len_utf8(),
                        None => break,
                    }
                };
            }
            Ok(out)
        }

        /// `len(re.findall(pattern, text))`.
        pub(crate) fn count(&self, text: &str) -> Result<usize, String> {
            Ok(self.matches(text)?.len())
        }

        /// `re.split(pattern, text)` (a pattern without capturing groups).
        pub(crate) fn split<'t>(&self, text: &'t str) -> Result<Vec<&'t str>, String> {
            let mut out = Vec::new();
            let mut last = 0;
            for (s, e) in self.matches(text)? {
                out.push(&text[last..s]);
                last = e;
            }
            out.push(&text[last..]);
            Ok(out)
        }

        /// `re.sub(pattern, repl, text)` with a literal `repl`.
        pub(crate) fn sub(&self, text: &str, repl: &str) -> Result<String, String> {
            let mut out = String::with_capacity(text.len());
            let mut last = 0;
            for (s, e) in self.matches(text)? {
                out.push_str(&text[last..s]);
                out.push_str(repl);
                last = e;
            }
            out.push_str(&text[last..]);
            Ok(out)
        }

        /// Group `g` of `re.search(pattern, text)` (None: no match, or the group took no part).
        pub(crate) fn search_group<'t>(
            &self,
            text: &'t str,
            g: usize,
        ) -> Result<Option<&'t str>, String> {
            let c = self
                .re
                .captures(text)
                .map_err(|e| format!("regex {:?} failed: {e}", self.pattern))?;
            Ok(c.and_then(|c| c.get(g)).map(|m| m.as_str()))
        }
    }

    /// pandas' `Series.str.split(pat)`: a one-character `pat` splits as `str.split(pat)`,
    /// another as `re.split(pat)`.
    #[derive(Debug)]
    pub(crate) enum Splitter {
        /// `str.split(pat)`.
        Literal(String),
        /// `re.split(pat)`.
        Regex(Regex),
    }

    impl Splitter {
        /// The splitter of `pat`; the error says what cannot be reproduced.
        pub(crate) fn new(pat: &str) -> Result<Splitter, String> {
            if pat.chars().count() == 1 {
                return Ok(Splitter::Literal(pat.to_string()));
            }
            let re = Regex::new(pat)?.iterable()?;
            if re.groups > 0 {
                return Err(unsupported(
                    "capturing groups (re.split puts what they match among the words)",
                ));
            }
            Ok(Splitter::Regex(re))
        }

        /// The pieces of `text`.
        pub(crate) fn split<'t>(&self, text: &'t str) -> Result<Vec<&'t str>, String> {
            match self {
                Splitter::Literal(p) => Ok(text.split(p.as_str()).collect()),
                Splitter::Regex(re) => re.split(text),
            }
        }
    }
}

use py::{Regex, Splitter};

/// featuretools' `DELIMITERS`.
const DELIMITERS: &str = "[ \n\t]";

/// A transform of this file.
#[derive(Debug)]
enum Text {
    /// COUNT_STRING and its subclasses: `len(re.findall(pattern, process_text(text)))`.
    CountString {
        re: Regex,
        alphanumeric: bool,
        lower: bool,
    },
    MeanCharactersPerWord(Regex),
    MedianWordLength(Splitter),
    NumUniqueSeparators(Vec<char>),
    NumberOfCommonWords(HashSet<String>, Splitter),
    NumberOfUniqueWords {
        lower: bool,
        split: Splitter,
    },
    NumberOfWordsInQuotes(Regex, Splitter),
    TotalWordLength(Regex),
    UpperCaseWordCount(Splitter),
}

fn entry(t: Text) -> Result<Implementation, String> {
    Ok(Implementation::Transform(Arc::new(t)))
}

/// CountString's constructor (`count_string.py`).
fn count_string(
    string: &str,
    ignore_case: bool,
    alphanumeric: bool,
    is_regex: bool,
    whole_words: bool,
) -> Result<Text, String> {
    let mut pattern = if is_regex {
        if ignore_case {
            string.to_lowercase()
        } else {
            string.to_string()
        }
    } else {
        py::escape(&process_text(string, alphanumeric, ignore_case))
    };
    if whole_words {
        pattern = format!("\\b{pattern}\\b");
    }
    Ok(Text::CountString {
        re: Regex::new(&pattern)?.iterable()?,
        alphanumeric,
        lower: ignore_case,
    })
}

/// CountString's `process_text`.
fn process_text(text: &str, alphanumeric: bool, lower: bool) -> String {
    let text: String = if alphanumeric {
        text.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
            .collect()
    } else {
        text.to_string()
    };
    if lower {
        text.to_lowercase()
    } else {
        text
    }
}

fn fixed(pattern: &str) -> Regex {
    Regex::new(pattern).expect("featuretools' own pattern")
}

fn splitter(a: &Args, k: &str) -> Result<Splitter, String> {
    let pat = a.text(k, DELIMITERS)?;
    Splitter::new(&pat).map_err(|e| a.error(k, format!("'{pat}' {e}")))
}

fn counted(class: &str, pattern: &str) -> Result<Implementation, String> {
    entry(count_string(pattern, false, false, true, false).map_err(|e| format!("{class}: {e}"))?)
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "CountString",
        make: |a| {
            let string = a.text("string", "the")?;
            let t = count_string(
                &string,
                a.bool("ignore_case", true)?,
                a.bool("ignore_non_alphanumeric", false)?,
                a.bool("is_regex", false)?,
                a.bool("match_whole_words_only", false)?,
            )
            .map_err(|e| a.error("string", format!("'{string}' {e}")))?;
            entry(t)
        },
    },
    Entry {
        class: "MeanCharactersPerWord",
        make: |_| {
            let p = "!,.:;?"
                .chars()
                .map(|c| py::escape(&c.to_string()))
                .collect::<String>();
            entry(Text::MeanCharactersPerWord(fixed(&format!(
                "[{p}]+$|[{p}]+ |[{p}]+\n"
            ))))
        },
    },
    Entry {
        class: "MedianWordLength",
        make: |a| entry(Text::MedianWordLength(splitter(a, "delimiters_regex")?)),
    },
    Entry {
        class: "NumUniqueSeparators",
        make: |a| {
            let mut seps: Vec<char> = match a.value("separators") {
                None => vec![' ', '.', ',', '!', '?', ';', '\n'],
                // A string is a set of its characters.
                Some(serde_json::Value::String(s)) => s.chars().collect(),
                // Items other than one-character strings never equal a character of the text.
                Some(serde_json::Value::Array(v)) => v
                    .iter()
                    .filter_map(|x| x.as_str())
                    .filter_map(|s| {
                        let mut c = s.chars();
                        match (c.next(), c.next()) {
                            (Some(x), None) => Some(x),
                            _ => None,
                        }
                    })
                    .collect(),
                Some(other) => {
                    return Err(a.error("separators", format!("must be a list, not {other}")))
                }
            };
            seps.sort_unstable();
            seps.dedup();
            entry(Text::NumUniqueSeparators(seps))
        },
    },
    Entry {
        class: "NumberOfCommonWords",
        make: |a| {
            let words: HashSet<String> = match a.value("word_set") {
                None => COMMON_WORDS
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
                // save_features writes a set as a list; items other than strings never equal
                // a word.
                Some(serde_json::Value::Array(v)) => v
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
                Some(other) => {
                    return Err(a.error("word_set", format!("must be a list of words, not {other}")))
                }
            };
            entry(Text::NumberOfCommonWords(
                words,
                splitter(a, "delimiters_regex")?,
            ))
        },
    },
    Entry {
        class: "NumberOfHashtags",
        make: |_| counted("NumberOfHashtags", r"((^#)|\s#)(\w*([^\W\d])+\w*)(?![#\w])"),
    },
    Entry {
        class: "NumberOfMentions",
        make: |_| {
            // SPECIALS_MINUS_AT: the order of a set does not change the class.
            let specials: String = py::PUNCTUATION.chars().filter(|&c| c != '@').collect();
            counted(
                "NumberOfMentions",
                &format!(r"((^@)|(\s+@))(\w+)(?=\s|$|[{}])", py::escape(&specials)),
            )
        },
    },
    Entry {
        class: "NumberOfUniqueWords",
        make: |a| {
            entry(Text::NumberOfUniqueWords {
                lower: a.bool("case_insensitive", false)?,
                split: Splitter::new(DELIMITERS)?,
            })
        },
    },
    Entry {
        class: "NumberOfWordsInQuotes",
        make: |a| {
            let double = r#"((^|\W)"(.)*?"(?!\w))"#;
            let single = r"((^|\W)'(.)*?'(?!\w))";
            let re = match a
                .choice("quote_type", "both", &["both", "single", "double"])?
                .as_str()
            {
                "double" => double.to_string(),
                "single" => single.to_string(),
                _ => format!("({single}|{double})"),
            };
            entry(Text::NumberOfWordsInQuotes(
                fixed(&format!("(?s){re}")),
                Splitter::new(DELIMITERS)?,
            ))
        },
    },
    Entry {
        class: "PunctuationCount",
        make: |_| {
            let alts: Vec<String> = py::PUNCTUATION
                .chars()
                .map(|c| py::escape(&c.to_string()))
                .collect();
            counted("PunctuationCount", &format!("({})", alts.join("|")))
        },
    },
    Entry {
        class: "TitleWordCount",
        make: |_| counted("TitleWordCount", r"([A-Z][^\s]*)"),
    },
    Entry {
        class: "TotalWordLength",
        make: |a| {
            let default = format!("[{}\n\t ]", py::PUNCTUATION);
            let pat = a.text("do_not_count", &default)?;
            let re = Regex::new(&pat)
                .and_then(Regex::iterable)
                .map_err(|e| a.error("do_not_count", format!("'{pat}' {e}")))?;
            entry(Text::TotalWordLength(re))
        },
    },
    Entry {
        class: "UpperCaseCount",
        make: |_| counted("UpperCaseCount", "([A-Z])"),
    },
    Entry {
        class: "UpperCaseWordCount",
        make: |_| entry(Text::UpperCaseWordCount(Splitter::new(DELIMITERS)?)),
    },
    Entry {
        class: "WhitespaceCount",
        make: |_| entry(count_string(" ", true, false, false, false)?),
    },
];

fn int_out(v: Vec<Option<i64>>) -> ArrayRef {
    Arc::new(Int64Array::from(v))
}

/// numpy's median of word lengths (NaN for none).
fn median(mut v: Vec<usize>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_unstable();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] as f64 + v[n / 2] as f64) / 2.0
    }
}

impl Text {
    fn int(&self, s: &str) -> Result<i64, String> {
        let len = |w: &str| w.chars().count();
        Ok(match self {
            Text::CountString {
                re,
                alphanumeric,
                lower,
            } => re.count(&process_text(s, *alphanumeric, *lower))?,
            Text::NumUniqueSeparators(seps) => {
                let mut seen = vec![false; seps.len()];
                for c in s.chars() {
                    if let Ok(i) = seps.binary_search(&c) {
                        seen[i] = true;
                    }
                }
                seen.iter().filter(|&&x| x).count()
            }
            Text::NumberOfCommonWords(words, split) => split
                .split(s)?
                .into_iter()
                .filter(|w| words.contains(py::strip_punctuation(&w.to_lowercase())))
                .count(),
            Text::NumberOfUniqueWords { lower, split } => {
                let s = if *lower {
                    s.to_lowercase()
                } else {
                    s.to_string()
                };
                let words: HashSet<&str> = split
                    .split(&s)?
                    .into_iter()
                    .map(py::strip_punctuation)
                    .filter(|w| !w.is_empty())
                    .collect();
                words.len()
            }
            Text::NumberOfWordsInQuotes(re, split) => {
                let mut n = 0;
                for (a, b) in re.matches(s)? {
                    n += split
                        .split(&s[a..b])?
                        .into_iter()
                        .filter(|w| {
                            !w.trim_matches(|c| c == ' ' || py::PUNCTUATION.contains(c))
                                .is_empty()
                        })
                        .count();
                }
                n
            }
            Text::TotalWordLength(re) => {
                return Ok(len(s) as i64 - re.count(s)? as i64);
            }
            Text::UpperCaseWordCount(split) => split
                .split(s)?
                .into_iter()
                .filter(|w| !py::strip_punctuation(w).is_empty() && w.to_uppercase() == *w)
                .count(),
            Text::MeanCharactersPerWord(_) | Text::MedianWordLength(_) => {
                unreachable!("a float transform")
            }
        } as i64)
    }

    fn float(&self, s: &str) -> Result<f64, String> {
        Ok(match self {
            Text::MeanCharactersPerWord(re) => {
                let s = re.sub(s, " ")?;
                let (n, total) = py::split_whitespace(&s)
                    .fold((0usize, 0usize), |(n, t), w| (n + 1, t + w.chars().count()));
                if n == 0 {
                    0.0
                } else {
                    total as f64 / n as f64
                }
            }
            Text::MedianWordLength(split) => median(
                split
                    .split(s)?
                    .into_iter()
                    .map(|w| w.chars().count())
                    .filter(|&l| l != 0)
                    .collect(),
            ),
            _ => unreachable!("an integer transform"),
        })
    }
}

impl Transform for Text {
    /// TOTAL_WORD_LENGTH and NUMBER_OF_WORDS_IN_QUOTES are `Int64` (`astype`); the others
    /// `apply` a Python function: numpy (`int64`, `float64`, or object where a text is missing).
    fn dtype(&self, _inputs: &[Dtype]) -> Dtype {
        Dtype::masked_if(matches!(
            self,
            Text::TotalWordLength(_) | Text::NumberOfWordsInQuotes(..)
        ))
    }
    fn transform(
        &self,
        inputs: &[ArrayRef],
        _dtypes: &[Dtype],
        _times: &[i64],
    ) -> Result<ArrayRef, String> {
        let a = inputs.first().ok_or("transform without input")?;
        let values = strings(a)?;
        if matches!(
            self,
            Text::MeanCharactersPerWord(_) | Text::MedianWordLength(_)
        ) {
            let mut out = Vec::with_capacity(values.len());
            for v in &values {
                out.push(match v {
                    Some(s) => self.float(s)?,
                    None => f64::NAN,
                });
            }
            return Ok(float_out(out));
        }
        let mut out = Vec::with_capacity(values.len());
        for v in &values {
            out.push(match v {
                Some(s) => Some(self.int(s)?),
                None => None,
            });
        }
        Ok(int_out(out))
    }
}

// BEGIN GENERATED by scripts/primitives/generate_common_words.py; do not edit.
/// featuretools' `common_words_1000` (NumberOfCommonWords' default `word_set`), one a line.
const COMMON_WORDS: &str = "
a
able
about
above
act
add
afraid
after
again
against
age
ago
agree
air
all
allow
also
always
am
among
an
and
anger
animal
answer
any
appear
apple
are
area
arm
arrange
arrive
art
as
ask
at
atom
baby
back
bad
ball
band
bank
bar
base
basic
bat
be
bear
beat
beauty
bed
been
before
began
begin
behind
believe
bell
best
better
between
big
bird
bit
black
block
blood
blow
blue
board
boat
body
bone
book
born
both
bottom
bought
box
boy
branch
bread
break
bright
bring
broad
broke
brother
brought
brown
build
burn
busy
but
buy
by
call
came
camp
can
capital
captain
car
card
care
carry
case
cat
catch
caught
cause
cell
cent
center
century
certain
chair
chance
change
character
charge
chart
check
chick
chief
child
children
choose
chord
circle
city
claim
class
clean
clear
climb
clock
close
clothe
cloud
coast
coat
cold
collect
colony
color
column
come
common
company
compare
complete
condition
connect
consider
consonant
contain
continent
continue
control
cook
cool
copy
corn
corner
correct
cost
cotton
could
count
country
course
cover
cow
crease
create
crop
cross
crowd
cry
current
cut
dad
dance
danger
dark
day
dead
deal
dear
death
decide
decimal
deep
degree
depend
describe
desert
design
determine
develop
dictionary
did
die
differ
difficult
direct
discuss
distant
divide
division
do
doctor
does
dog
dollar
don't
done
door
double
down
draw
dream
dress
drink
drive
drop
dry
duck
during
each
ear
early
earth
ease
east
eat
edge
effect
egg
eight
either
electric
element
else
end
enemy
energy
engine
enough
enter
equal
equate
especially
even
evening
event
ever
every
exact
example
except
excite
exercise
expect
experience
experiment
eye
face
fact
fair
fall
family
famous
far
farm
fast
fat
father
favor
fear
feed
feel
feet
fell
felt
few
field
fig
fight
figure
fill
final
find
fine
finger
finish
fire
first
fish
fit
five
flat
floor
flow
flower
fly
follow
food
foot
for
force
forest
form
forward
found
four
fraction
free
fresh
friend
from
front
fruit
full
fun
game
garden
gas
gather
gave
general
gentle
get
girl
give
glad
glass
go
gold
gone
good
got
govern
grand
grass
gray
great
green
grew
ground
group
grow
guess
guide
gun
had
hair
half
hand
happen
happy
hard
has
hat
have
he
head
hear
heard
heart
heat
heavy
held
help
her
here
high
hill
him
his
history
hit
hold
hole
home
hope
horse
hot
hour
house
how
huge
human
hundred
hunt
hurry
i
ice
idea
if
imagine
in
inch
include
indicate
industry
insect
instant
instrument
interest
invent
iron
is
island
it
job
join
joy
jump
just
keep
kept
key
kill
kind
king
knew
know
lady
lake
land
language
large
last
late
laugh
law
lay
lead
learn
least
leave
led
left
leg
length
less
let
letter
level
lie
life
lift
light
like
line
liquid
list
listen
little
live
locate
log
lone
long
look
lost
lot
loud
love
low
machine
made
magnet
main
major
make
man
many
map
mark
market
mass
master
match
material
matter
may
me
mean
meant
measure
meat
meet
melody
men
metal
method
middle
might
mile
milk
million
mind
mine
minute
miss
mix
modern
molecule
moment
money
month
moon
more
morning
most
mother
motion
mount
mountain
mouth
move
much
multiply
music
must
my
name
nation
natural
nature
near
necessary
neck
need
neighbor
never
new
next
night
nine
no
noise
noon
nor
north
nose
not
note
nothing
notice
noun
now
number
numeral
object
observe
occur
ocean
of
off
offer
office
often
oh
oil
old
on
once
one
only
open
operate
opposite
or
order
organ
original
other
our
out
over
own
oxygen
page
paint
pair
paper
paragraph
parent
part
particular
party
pass
past
path
pattern
pay
people
perhaps
period
person
phrase
pick
picture
piece
pitch
place
plain
plan
plane
planet
plant
play
please
plural
poem
point
poor
populate
port
pose
position
possible
post
pound
power
practice
prepare
present
press
pretty
print
probable
problem
process
produce
product
proper
property
protect
prove
provide
pull
push
put
quart
question
quick
quiet
quite
quotient
race
radio
rail
rain
raise
ran
range
rather
reach
read
ready
real
reason
receive
record
red
region
remember
repeat
reply
represent
require
rest
result
rich
ride
right
ring
rise
river
road
rock
roll
room
root
rope
rose
round
row
rub
rule
run
safe
said
sail
salt
same
sand
sat
save
saw
say
scale
school
science
score
sea
search
season
seat
second
section
see
seed
seem
segment
select
self
sell
send
sense
sent
sentence
separate
serve
set
settle
seven
several
shall
shape
share
sharp
she
sheet
shell
shine
ship
shoe
shop
shore
short
should
shoulder
shout
show
side
sight
sign
silent
silver
similar
simple
since
sing
single
sister
sit
six
size
skill
skin
sky
slave
sleep
slip
slow
small
smell
smile
snow
so
soft
soil
soldier
solution
solve
some
son
song
soon
sound
south
space
speak
special
speech
speed
spell
spend
spoke
spot
spread
spring
square
stand
star
start
state
station
stay
stead
steam
steel
step
stick
still
stone
stood
stop
store
story
straight
strange
stream
street
stretch
string
strong
student
study
subject
substance
subtract
success
such
sudden
suffix
sugar
suggest
suit
summer
sun
supply
support
sure
surface
surprise
swim
syllable
symbol
system
table
tail
take
talk
tall
teach
team
teeth
tell
temperature
ten
term
test
than
thank
that
the
their
them
then
there
these
they
thick
thin
thing
think
third
this
those
though
thought
thousand
three
through
throw
thus
tie
time
tiny
tire
to
together
told
tone
too
took
tool
top
total
touch
toward
town
track
trade
train
travel
tree
triangle
trip
trouble
truck
true
try
tube
turn
twenty
two
type
under
unit
until
up
us
use
usual
valley
value
vary
verb
very
view
village
visit
voice
vowel
wait
walk
wall
want
war
warm
was
wash
watch
water
wave
way
we
wear
weather
week
weight
well
went
were
west
what
wheel
when
where
whether
which
while
white
who
whole
whose
why
wide
wife
wild
will
win
wind
window
wing
winter
wire
wish
with
woman
women
won't
wonder
wood
word
work
world
would
write
written
wrong
wrote
yard
year
yellow
yes
yet
you
young
your
";

/// Python's `re` `\w` (Python 3.11.7, Unicode 14.0.0): code point ranges.
const PY_WORD: &str = "
30-39 41-5A 5F-5F 61-7A AA-AA B2-B3 B5-B5 B9-BA BC-BE C0-D6 D8-F6 F8-2C1 2C6-2D1 2E0-2E4 2EC-2EC
2EE-2EE 370-374 376-377 37A-37D 37F-37F 386-386 388-38A 38C-38C 38E-3A1 3A3-3F5 3F7-481 48A-52F
531-556 559-559 560-588 5D0-5EA 5EF-5F2 620-64A 660-669 66E-66F 671-6D3 6D5-6D5 6E5-6E6 6EE-6FC
6FF-6FF 710-710 712-72F 74D-7A5 7B1-7B1 7C0-7EA 7F4-7F5 7FA-7FA 800-815 81A-81A 824-824 828-828
840-858 860-86A 870-887 889-88E 8A0-8C9 904-939 93D-93D 950-950 958-961 966-96F 971-980 985-98C
98F-990 993-9A8 9AA-9B0 9B2-9B2 9B6-9B9 9BD-9BD 9CE-9CE 9DC-9DD 9DF-9E1 9E6-9F1 9F4-9F9 9FC-9FC
A05-A0A A0F-A10 A13-A28 A2A-A30 A32-A33 A35-A36 A38-A39 A59-A5C A5E-A5E A66-A6F A72-A74 A85-A8D
A8F-A91 A93-AA8 AAA-AB0 AB2-AB3 AB5-AB9 ABD-ABD AD0-AD0 AE0-AE1 AE6-AEF AF9-AF9 B05-B0C B0F-B10
B13-B28 B2A-B30 B32-B33 B35-B39 B3D-B3D B5C-B5D B5F-B61 B66-B6F B71-B77 B83-B83 B85-B8A B8E-B90
B92-B95 B99-B9A B9C-B9C B9E-B9F BA3-BA4 BA8-BAA BAE-BB9 BD0-BD0 BE6-BF2 C05-C0C C0E-C10 C12-C28
C2A-C39 C3D-C3D C58-C5A C5D-C5D C60-C61 C66-C6F C78-C7E C80-C80 C85-C8C C8E-C90 C92-CA8 CAA-CB3
CB5-CB9 CBD-CBD CDD-CDE CE0-CE1 CE6-CEF CF1-CF2 D04-D0C D0E-D10 D12-D3A D3D-D3D D4E-D4E D54-D56
D58-D61 D66-D78 D7A-D7F D85-D96 D9A-DB1 DB3-DBB DBD-DBD DC0-DC6 DE6-DEF E01-E30 E32-E33 E40-E46
E50-E59 E81-E82 E84-E84 E86-E8A E8C-EA3 EA5-EA5 EA7-EB0 EB2-EB3 EBD-EBD EC0-EC4 EC6-EC6 ED0-ED9
EDC-EDF F00-F00 F20-F33 F40-F47 F49-F6C F88-F8C 1000-102A 103F-1049 1050-1055 105A-105D
1061-1061 1065-1066 106E-1070 1075-1081 108E-108E 1090-1099 10A0-10C5 10C7-10C7 10CD-10CD
10D0-10FA 10FC-1248 124A-124D 1250-1256 1258-1258 125A-125D 1260-1288 128A-128D 1290-12B0
12B2-12B5 12B8-12BE 12C0-12C0 12C2-12C5 12C8-12D6 12D8-1310 1312-1315 1318-135A 1369-137C
1380-138F 13A0-13F5 13F8-13FD 1401-166C 166F-167F 1681-169A 16A0-16EA 16EE-16F8 1700-1711
171F-1731 1740-1751 1760-176C 176E-1770 1780-17B3 17D7-17D7 17DC-17DC 17E0-17E9 17F0-17F9
1810-1819 1820-1878 1880-1884 1887-18A8 18AA-18AA 18B0-18F5 1900-191E 1946-196D 1970-1974
1980-19AB 19B0-19C9 19D0-19DA 1A00-1A16 1A20-1A54 1A80-1A89 1A90-1A99 1AA7-1AA7 1B05-1B33
1B45-1B4C 1B50-1B59 1B83-1BA0 1BAE-1BE5 1C00-1C23 1C40-1C49 1C4D-1C7D 1C80-1C88 1C90-1CBA
1CBD-1CBF 1CE9-1CEC 1CEE-1CF3 1CF5-1CF6 1CFA-1CFA 1D00-1DBF 1E00-1F15 1F18-1F1D 1F20-1F45
1F48-1F4D 1F50-1F57 1F59-1F59 1F5B-1F5B 1F5D-1F5D 1F5F-1F7D 1F80-1FB4 1FB6-1FBC 1FBE-1FBE
1FC2-1FC4 1FC6-1FCC 1FD0-1FD3 1FD6-1FDB 1FE0-1FEC 1FF2-1FF4 1FF6-1FFC 2070-2071 2074-2079
207F-2089 2090-209C 2102-2102 2107-2107 210A-2113 2115-2115 2119-211D 2124-2124 2126-2126
2128-2128 212A-212D 212F-2139 213C-213F 2145-2149 214E-214E 2150-2189 2460-249B 24EA-24FF
2776-2793 2C00-2CE4 2CEB-2CEE 2CF2-2CF3 2CFD-2CFD 2D00-2D25 2D27-2D27 2D2D-2D2D 2D30-2D67
2D6F-2D6F 2D80-2D96 2DA0-2DA6 2DA8-2DAE 2DB0-2DB6 2DB8-2DBE 2DC0-2DC6 2DC8-2DCE 2DD0-2DD6
2DD8-2DDE 2E2F-2E2F 3005-3007 3021-3029 3031-3035 3038-303C 3041-3096 309D-309F 30A1-30FA
30FC-30FF 3105-312F 3131-318E 3192-3195 31A0-31BF 31F0-31FF 3220-3229 3248-324F 3251-325F
3280-3289 32B1-32BF 3400-4DBF 4E00-A48C A4D0-A4FD A500-A60C A610-A62B A640-A66E A67F-A69D
A6A0-A6EF A717-A71F A722-A788 A78B-A7CA A7D0-A7D1 A7D3-A7D3 A7D5-A7D9 A7F2-A801 A803-A805
A807-A80A A80C-A822 A830-A835 A840-A873 A882-A8B3 A8D0-A8D9 A8F2-A8F7 A8FB-A8FB A8FD-A8FE
A900-A925 A930-A946 A960-A97C A984-A9B2 A9CF-A9D9 A9E0-A9E4 A9E6-A9FE AA00-AA28 AA40-AA42
AA44-AA4B AA50-AA59 AA60-AA76 AA7A-AA7A AA7E-AAAF AAB1-AAB1 AAB5-AAB6 AAB9-AABD AAC0-AAC0
AAC2-AAC2 AADB-AADD AAE0-AAEA AAF2-AAF4 AB01-AB06 AB09-AB0E AB11-AB16 AB20-AB26 AB28-AB2E
AB30-AB5A AB5C-AB69 AB70-ABE2 ABF0-ABF9 AC00-D7A3 D7B0-D7C6 D7CB-D7FB F900-FA6D FA70-FAD9
FB00-FB06 FB13-FB17 FB1D-FB1D FB1F-FB28 FB2A-FB36 FB38-FB3C FB3E-FB3E FB40-FB41 FB43-FB44
FB46-FBB1 FBD3-FD3D FD50-FD8F FD92-FDC7 FDF0-FDFB FE70-FE74 FE76-FEFC FF10-FF19 FF21-FF3A
FF41-FF5A FF66-FFBE FFC2-FFC7 FFCA-FFCF FFD2-FFD7 FFDA-FFDC 10000-1000B 1000D-10026 10028-1003A
1003C-1003D 1003F-1004D 10050-1005D 10080-100FA 10107-10133 10140-10178 1018A-1018B 10280-1029C
102A0-102D0 102E1-102FB 10300-10323 1032D-1034A 10350-10375 10380-1039D 103A0-103C3 103C8-103CF
103D1-103D5 10400-1049D 104A0-104A9 104B0-104D3 104D8-104FB 10500-10527 10530-10563 10570-1057A
1057C-1058A 1058C-10592 10594-10595 10597-105A1 105A3-105B1 105B3-105B9 105BB-105BC 10600-10736
10740-10755 10760-10767 10780-10785 10787-107B0 107B2-107BA 10800-10805 10808-10808 1080A-10835
10837-10838 1083C-1083C 1083F-10855 10858-10876 10879-1089E 108A7-108AF 108E0-108F2 108F4-108F5
108FB-1091B 10920-10939 10980-109B7 109BC-109CF 109D2-10A00 10A10-10A13 10A15-10A17 10A19-10A35
10A40-10A48 10A60-10A7E 10A80-10A9F 10AC0-10AC7 10AC9-10AE4 10AEB-10AEF 10B00-10B35 10B40-10B55
10B58-10B72 10B78-10B91 10BA9-10BAF 10C00-10C48 10C80-10CB2 10CC0-10CF2 10CFA-10D23 10D30-10D39
10E60-10E7E 10E80-10EA9 10EB0-10EB1 10F00-10F27 10F30-10F45 10F51-10F54 10F70-10F81 10FB0-10FCB
10FE0-10FF6 11003-11037 11052-1106F 11071-11072 11075-11075 11083-110AF 110D0-110E8 110F0-110F9
11103-11126 11136-1113F 11144-11144 11147-11147 11150-11172 11176-11176 11183-111B2 111C1-111C4
111D0-111DA 111DC-111DC 111E1-111F4 11200-11211 11213-1122B 11280-11286 11288-11288 1128A-1128D
1128F-1129D 1129F-112A8 112B0-112DE 112F0-112F9 11305-1130C 1130F-11310 11313-11328 1132A-11330
11332-11333 11335-11339 1133D-1133D 11350-11350 1135D-11361 11400-11434 11447-1144A 11450-11459
1145F-11461 11480-114AF 114C4-114C5 114C7-114C7 114D0-114D9 11580-115AE 115D8-115DB 11600-1162F
11644-11644 11650-11659 11680-116AA 116B8-116B8 116C0-116C9 11700-1171A 11730-1173B 11740-11746
11800-1182B 118A0-118F2 118FF-11906 11909-11909 1190C-11913 11915-11916 11918-1192F 1193F-1193F
11941-11941 11950-11959 119A0-119A7 119AA-119D0 119E1-119E1 119E3-119E3 11A00-11A00 11A0B-11A32
11A3A-11A3A 11A50-11A50 11A5C-11A89 11A9D-11A9D 11AB0-11AF8 11C00-11C08 11C0A-11C2E 11C40-11C40
11C50-11C6C 11C72-11C8F 11D00-11D06 11D08-11D09 11D0B-11D30 11D46-11D46 11D50-11D59 11D60-11D65
11D67-11D68 11D6A-11D89 11D98-11D98 11DA0-11DA9 11EE0-11EF2 11FB0-11FB0 11FC0-11FD4 12000-12399
12400-1246E 12480-12543 12F90-12FF0 13000-1342E 14400-14646 16800-16A38 16A40-16A5E 16A60-16A69
16A70-16ABE 16AC0-16AC9 16AD0-16AED 16B00-16B2F 16B40-16B43 16B50-16B59 16B5B-16B61 16B63-16B77
16B7D-16B8F 16E40-16E96 16F00-16F4A 16F50-16F50 16F93-16F9F 16FE0-16FE1 16FE3-16FE3 17000-187F7
18800-18CD5 18D00-18D08 1AFF0-1AFF3 1AFF5-1AFFB 1AFFD-1AFFE 1B000-1B122 1B150-1B152 1B164-1B167
1B170-1B2FB 1BC00-1BC6A 1BC70-1BC7C 1BC80-1BC88 1BC90-1BC99 1D2E0-1D2F3 1D360-1D378 1D400-1D454
1D456-1D49C 1D49E-1D49F 1D4A2-1D4A2 1D4A5-1D4A6 1D4A9-1D4AC 1D4AE-1D4B9 1D4BB-1D4BB 1D4BD-1D4C3
1D4C5-1D505 1D507-1D50A 1D50D-1D514 1D516-1D51C 1D51E-1D539 1D53B-1D53E 1D540-1D544 1D546-1D546
1D54A-1D550 1D552-1D6A5 1D6A8-1D6C0 1D6C2-1D6DA 1D6DC-1D6FA 1D6FC-1D714 1D716-1D734 1D736-1D74E
1D750-1D76E 1D770-1D788 1D78A-1D7A8 1D7AA-1D7C2 1D7C4-1D7CB 1D7CE-1D7FF 1DF00-1DF1E 1E100-1E12C
1E137-1E13D 1E140-1E149 1E14E-1E14E 1E290-1E2AD 1E2C0-1E2EB 1E2F0-1E2F9 1E7E0-1E7E6 1E7E8-1E7EB
1E7ED-1E7EE 1E7F0-1E7FE 1E800-1E8C4 1E8C7-1E8CF 1E900-1E943 1E94B-1E94B 1E950-1E959 1EC71-1ECAB
1ECAD-1ECAF 1ECB1-1ECB4 1ED01-1ED2D 1ED2F-1ED3D 1EE00-1EE03 1EE05-1EE1F 1EE21-1EE22 1EE24-1EE24
1EE27-1EE27 1EE29-1EE32 1EE34-1EE37 1EE39-1EE39 1EE3B-1EE3B 1EE42-1EE42 1EE47-1EE47 1EE49-1EE49
1EE4B-1EE4B 1EE4D-1EE4F 1EE51-1EE52 1EE54-1EE54 1EE57-1EE57 1EE59-1EE59 1EE5B-1EE5B 1EE5D-1EE5D
1EE5F-1EE5F 1EE61-1EE62 1EE64-1EE64 1EE67-1EE6A 1EE6C-1EE72 1EE74-1EE77 1EE79-1EE7C 1EE7E-1EE7E
1EE80-1EE89 1EE8B-1EE9B 1EEA1-1EEA3 1EEA5-1EEA9 1EEAB-1EEBB 1F100-1F10C 1FBF0-1FBF9 20000-2A6DF
2A700-2B738 2B740-2B81D 2B820-2CEA1 2CEB0-2EBE0 2F800-2FA1D 30000-3134A
";

/// Python's `re` `\d`: code point ranges.
const PY_DIGIT: &str = "
30-39 660-669 6F0-6F9 7C0-7C9 966-96F 9E6-9EF A66-A6F AE6-AEF B66-B6F BE6-BEF C66-C6F CE6-CEF
D66-D6F DE6-DEF E50-E59 ED0-ED9 F20-F29 1040-1049 1090-1099 17E0-17E9 1810-1819 1946-194F
19D0-19D9 1A80-1A89 1A90-1A99 1B50-1B59 1BB0-1BB9 1C40-1C49 1C50-1C59 A620-A629 A8D0-A8D9
A900-A909 A9D0-A9D9 A9F0-A9F9 AA50-AA59 ABF0-ABF9 FF10-FF19 104A0-104A9 10D30-10D39 11066-1106F
110F0-110F9 11136-1113F 111D0-111D9 112F0-112F9 11450-11459 114D0-114D9 11650-11659 116C0-116C9
11730-11739 118E0-118E9 11950-11959 11C50-11C59 11D50-11D59 11DA0-11DA9 16A60-16A69 16AC0-16AC9
16B50-16B59 1D7CE-1D7FF 1E140-1E149 1E2F0-1E2F9 1E950-1E959 1FBF0-1FBF9
";

/// Python's `re` `\s`, also `str.isspace()`: code point ranges.
const PY_SPACE: &str = "
9-D 1C-20 85-85 A0-A0 1680-1680 2000-200A 2028-2029 202F-202F 205F-205F 3000-3000
";
// END GENERATED

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::test_util::prim_with;
    use crate::primitives::test_util::transform;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};
    use arrow_array::StringArray;
    use serde_json::{json, Value};

    // The rows every test computes (unicode, empty text, a missing value). Expected values are
    // featuretools 1.31's, from the Python call in the comment above each check.
    const TEXTS: &[Option<&str>] = &[
        Some("The girl went to the store. Then, the END!"),
        Some("#hello #world #123 #a1 #yes-no #yes# x#no @me @you_@ @a_b@c @_x, @end"),
        Some("  leading  and\ttabs\nnewline   "),
        Some(""),
        None,
        Some("Ünïcödé ÉCOLE straße STRASSE ǅungla Σίσυφος ΟΔΥΣΣΕΥΣ 123 ½ x²"),
        Some("He said \"hello there\" and 'good bye' isn't it? \"unclosed"),
        Some("«quoted» \"a\"\"b\" 'it's' \"multi\nline words\""),
        Some("wörd… — dash–en “curly” naïve café\u{a0}nbsp\u{2003}em\u{1c}fs"),
        Some("#日本語 #١٢٣ #e\u{301}x @日本 @x@y \u{3000}#tag\u{3000} #a_1_ @b_c_@"),
        Some("UPPER lower MiXeD A I 123 !!! ... ǅ ß"),
        Some("back\\slash [brackets] {braces} a-b_c the,the;the.\n"),
        Some("end. here! also: yes;\nno? "),
    ];

    fn run(class: &str, args: Value) -> ArrayRef {
        let texts: ArrayRef = Arc::new(StringArray::from(TEXTS.to_vec()));
        transform(&prim_with(class, args), &[texts], &[]).unwrap()
    }

    fn check_ints(class: &str, args: Value, expected: &[Option<i64>]) {
        let out = run(class, args.clone());
        let got: Vec<Option<i64>> = out.as_primitive::<Int64Type>().iter().collect();
        assert_eq!(got, expected, "{class}({args})");
    }

    fn check_floats(class: &str, args: Value, expected: &[Option<f64>]) {
        let out = run(class, args.clone());
        let got: Vec<Option<f64>> = out.as_primitive::<Float64Type>().iter().collect();
        assert_eq!(got, expected, "{class}({args})");
    }

    #[test]
    fn text_primitives_equal_featuretools() {
        // CountString().get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "CountString",
            json!({}),
            &[
                Some(4),
                Some(0),
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(1),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(3),
                Some(0),
            ],
        );
        // CountString(string='The', ignore_case=False).get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "CountString",
            json!({"string": "The", "ignore_case": false}),
            &[
                Some(2),
                Some(0),
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
            ],
        );
        // CountString(string='t.e', is_regex=True).get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "CountString",
            json!({"string": "t.e", "is_regex": true}),
            &[
                Some(4),
                Some(0),
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(1),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(3),
                Some(0),
            ],
        );
        // CountString(match_whole_words_only=True).get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "CountString",
            json!({"match_whole_words_only": true}),
            &[
                Some(3),
                Some(0),
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(3),
                Some(0),
            ],
        );
        // CountString(string='e-t', ignore_non_alphanumeric=True).get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "CountString",
            json!({"string": "e-t", "ignore_non_alphanumeric": true}),
            &[
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(3),
                Some(0),
            ],
        );
        // CountString(string='\\W\\w', is_regex=True).get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "CountString",
            json!({"string": "\\W\\w", "is_regex": true}),
            &[
                Some(13),
                Some(16),
                Some(9),
                Some(0),
                None,
                Some(23),
                Some(17),
                Some(10),
                Some(15),
                Some(8),
                Some(7),
                Some(15),
                Some(7),
            ],
        );
        // CountString(string='\\W\\w', is_regex=True, ignore_case=False).get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "CountString",
            json!({"string": "\\W\\w", "is_regex": true, "ignore_case": false}),
            &[
                Some(8),
                Some(15),
                Some(4),
                Some(0),
                None,
                Some(9),
                Some(10),
                Some(8),
                Some(8),
                Some(10),
                Some(7),
                Some(8),
                Some(4),
            ],
        );
        // CountString(string='\\Bs\\b', is_regex=True, match_whole_words_only=False).get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "CountString",
            json!({"string": "\\Bs\\b", "is_regex": true, "match_whole_words_only": false}),
            &[
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(0),
                Some(1),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
            ],
        );
        // CountString(string='').get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "CountString",
            json!({"string": ""}),
            &[
                Some(43),
                Some(70),
                Some(31),
                Some(1),
                None,
                Some(62),
                Some(57),
                Some(42),
                Some(46),
                Some(44),
                Some(38),
                Some(51),
                Some(27),
            ],
        );
        // CountString(string='ss', match_whole_words_only=True).get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "CountString",
            json!({"string": "ss", "match_whole_words_only": true}),
            &[
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
            ],
        );
        // MeanCharactersPerWord().get_function()(pd.Series(TEXTS, dtype='string'))
        check_floats(
            "MeanCharactersPerWord",
            json!({}),
            &[
                Some(3.4444444444444446),
                Some(4.75),
                Some(5.25),
                Some(0.0),
                None,
                Some(5.2),
                Some(4.6),
                Some(6.0),
                Some(4.111111111111111),
                Some(4.25),
                Some(2.75),
                Some(8.8),
                Some(3.2),
            ],
        );
        // MedianWordLength().get_function()(pd.Series(TEXTS, dtype='string'))
        check_floats(
            "MedianWordLength",
            json!({}),
            &[
                Some(4.0),
                Some(4.5),
                Some(5.5),
                None,
                None,
                Some(6.0),
                Some(4.5),
                Some(6.0),
                Some(6.0),
                Some(4.0),
                Some(3.0),
                Some(10.0),
                Some(4.0),
            ],
        );
        // MedianWordLength(delimiters_regex=' ').get_function()(pd.Series(TEXTS, dtype='string'))
        check_floats(
            "MedianWordLength",
            json!({"delimiters_regex": " "}),
            &[
                Some(4.0),
                Some(4.5),
                Some(11.5),
                None,
                None,
                Some(6.0),
                Some(4.5),
                Some(6.0),
                Some(6.0),
                Some(4.0),
                Some(3.0),
                Some(10.0),
                Some(5.0),
            ],
        );
        // MedianWordLength(delimiters_regex='\\s+').get_function()(pd.Series(TEXTS, dtype='string'))
        check_floats(
            "MedianWordLength",
            json!({"delimiters_regex": "\\s+"}),
            &[
                Some(4.0),
                Some(4.5),
                Some(5.5),
                None,
                None,
                Some(6.0),
                Some(4.5),
                Some(6.0),
                Some(4.0),
                Some(4.0),
                Some(3.0),
                Some(10.0),
                Some(4.0),
            ],
        );
        // NumUniqueSeparators().get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "NumUniqueSeparators",
            json!({}),
            &[
                Some(4),
                Some(2),
                Some(2),
                Some(0),
                None,
                Some(1),
                Some(2),
                Some(2),
                Some(1),
                Some(1),
                Some(3),
                Some(5),
                Some(6),
            ],
        );
        // NumUniqueSeparators(separators=[' ', 'x', 'ab', 'é']).get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "NumUniqueSeparators",
            json!({"separators": [" ", "x", "ab", "é"]}),
            &[
                Some(1),
                Some(2),
                Some(1),
                Some(0),
                None,
                Some(3),
                Some(1),
                Some(1),
                Some(2),
                Some(2),
                Some(1),
                Some(1),
                Some(1),
            ],
        );
        // NumUniqueSeparators(separators='ab.').get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "NumUniqueSeparators",
            json!({"separators": "ab."}),
            &[
                Some(1),
                Some(2),
                Some(2),
                Some(0),
                None,
                Some(1),
                Some(2),
                Some(2),
                Some(2),
                Some(2),
                Some(1),
                Some(3),
                Some(2),
            ],
        );
        // NumberOfCommonWords().get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "NumberOfCommonWords",
            json!({}),
            &[
                Some(9),
                Some(5),
                Some(1),
                Some(0),
                None,
                Some(0),
                Some(6),
                Some(1),
                Some(0),
                Some(0),
                Some(2),
                Some(0),
                Some(5),
            ],
        );
        // NumberOfCommonWords(word_set=['the', 'a', 'yes']).get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "NumberOfCommonWords",
            json!({"word_set": ["the", "a", "yes"]}),
            &[
                Some(3),
                Some(1),
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(1),
                Some(0),
                Some(1),
            ],
        );
        // NumberOfCommonWords(delimiters_regex='[ ,.;]').get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "NumberOfCommonWords",
            json!({"delimiters_regex": "[ ,.;]"}),
            &[
                Some(9),
                Some(5),
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(6),
                Some(0),
                Some(0),
                Some(0),
                Some(2),
                Some(3),
                Some(4),
            ],
        );
        // NumberOfHashtags().get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "NumberOfHashtags",
            json!({}),
            &[
                Some(0),
                Some(4),
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(4),
                Some(0),
                Some(0),
                Some(0),
            ],
        );
        // NumberOfMentions().get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "NumberOfMentions",
            json!({}),
            &[
                Some(0),
                Some(5),
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(2),
                Some(0),
                Some(0),
                Some(0),
            ],
        );
        // NumberOfUniqueWords().get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "NumberOfUniqueWords",
            json!({}),
            &[
                Some(8),
                Some(12),
                Some(4),
                Some(0),
                None,
                Some(10),
                Some(10),
                Some(6),
                Some(6),
                Some(8),
                Some(8),
                Some(5),
                Some(5),
            ],
        );
        // NumberOfUniqueWords(case_insensitive=True).get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "NumberOfUniqueWords",
            json!({"case_insensitive": true}),
            &[
                Some(7),
                Some(12),
                Some(4),
                Some(0),
                None,
                Some(10),
                Some(10),
                Some(6),
                Some(6),
                Some(8),
                Some(8),
                Some(5),
                Some(5),
            ],
        );
        // NumberOfWordsInQuotes().get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "NumberOfWordsInQuotes",
            json!({}),
            &[
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(4),
                Some(5),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
            ],
        );
        // NumberOfWordsInQuotes(quote_type='single').get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "NumberOfWordsInQuotes",
            json!({"quote_type": "single"}),
            &[
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(2),
                Some(1),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
            ],
        );
        // NumberOfWordsInQuotes(quote_type='double').get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "NumberOfWordsInQuotes",
            json!({"quote_type": "double"}),
            &[
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(2),
                Some(4),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
            ],
        );
        // PunctuationCount().get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "PunctuationCount",
            json!({}),
            &[
                Some(3),
                Some(20),
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(7),
                Some(9),
                Some(0),
                Some(14),
                Some(6),
                Some(10),
                Some(5),
            ],
        );
        // TitleWordCount().get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "TitleWordCount",
            json!({}),
            &[
                Some(3),
                Some(0),
                Some(0),
                Some(0),
                None,
                Some(2),
                Some(1),
                Some(0),
                Some(0),
                Some(0),
                Some(4),
                Some(0),
                Some(0),
            ],
        );
        // TotalWordLength().get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "TotalWordLength",
            json!({}),
            &[
                Some(31),
                Some(38),
                Some(21),
                Some(0),
                None,
                Some(52),
                Some(40),
                Some(27),
                Some(40),
                Some(22),
                Some(22),
                Some(36),
                Some(16),
            ],
        );
        // TotalWordLength(do_not_count='[aeiou]').get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "TotalWordLength",
            json!({"do_not_count": "[aeiou]"}),
            &[
                Some(33),
                Some(56),
                Some(22),
                Some(0),
                None,
                Some(57),
                Some(40),
                Some(31),
                Some(38),
                Some(40),
                Some(33),
                Some(40),
                Some(19),
            ],
        );
        // UpperCaseCount().get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "UpperCaseCount",
            json!({}),
            &[
                Some(5),
                Some(0),
                Some(0),
                Some(0),
                None,
                Some(11),
                Some(1),
                Some(0),
                Some(0),
                Some(0),
                Some(10),
                Some(0),
                Some(0),
            ],
        );
        // UpperCaseWordCount().get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "UpperCaseWordCount",
            json!({}),
            &[
                Some(1),
                Some(1),
                Some(0),
                Some(0),
                None,
                Some(5),
                Some(0),
                Some(0),
                Some(1),
                Some(3),
                Some(4),
                Some(0),
                Some(0),
            ],
        );
        // WhitespaceCount().get_function()(pd.Series(TEXTS, dtype='string'))
        check_ints(
            "WhitespaceCount",
            json!({}),
            &[
                Some(8),
                Some(11),
                Some(7),
                Some(0),
                None,
                Some(9),
                Some(9),
                Some(4),
                Some(5),
                Some(7),
                Some(9),
                Some(4),
                Some(4),
            ],
        );
    }

    fn refused(class: &str, args: Value) -> String {
        match crate::primitives::Primitive::featuretools(class, args) {
            Ok(p) => panic!("{p:?} was accepted"),
            Err(e) => e,
        }
    }

    #[test]
    fn regex_arguments_ftpart_cannot_reproduce_are_refused_by_name() {
        // Empty and non-empty matches: re.findall("a*", "baa") is ['', 'aa', ''].
        let e = refused("CountString", json!({"string": "a*", "is_regex": true}));
        assert!(e.contains("'string'") && e.contains("empty"), "{e}");
        let e = refused("MedianWordLength", json!({"delimiters_regex": "( )"}));
        assert!(
            e.contains("'delimiters_regex'") && e.contains("capturing"),
            "{e}"
        );
        let e = refused("NumberOfCommonWords", json!({"delimiters_regex": "(?i)x"}));
        assert!(
            e.contains("'delimiters_regex'") && e.contains("flag 'i'"),
            "{e}"
        );
        let e = refused("TotalWordLength", json!({"do_not_count": "(a)\\1"}));
        assert!(
            e.contains("'do_not_count'") && e.contains("backreference"),
            "{e}"
        );
        let e = refused("CountString", json!({"string": "[a", "is_regex": true}));
        assert!(e.contains("unterminated character set"), "{e}");
        let e = refused("CountString", json!({"string": "a**", "is_regex": true}));
        assert!(e.contains("multiple repeat"), "{e}");
        let e = refused("NumberOfCommonWords", json!({"word_set": "the"}));
        assert!(e.contains("'word_set'"), "{e}");
        let e = refused("NumberOfWordsInQuotes", json!({"quote_type": "curly"}));
        assert!(e.contains("'quote_type'"), "{e}");
    }

    #[test]
    fn python_regex_syntax_is_translated() {
        // Each: pattern, text, re.findall count (Python 3.11).
        for (p, t, n) in [
            ("a{2}", "aaaaa", 2),
            ("a{,2}b", "aaab b", 2),
            ("x{", "x{x{", 2),
            ("a{}", "a{}", 1),
            ("[]a]", "]a", 2),
            ("[^]a]", "]ab", 1),
            ("[a-]", "a-", 2),
            ("[\\]]", "\\]", 1),
            ("\\x41\\u00e9\\101", "AéA", 1),
            ("\\d", "1١²", 2),
            ("(?s).", "a\nb", 3),
            (".", "a\nb", 2),
            ("a$", "a\n", 1),
            ("a\\Z", "a\n", 0),
            ("(?m)^b", "a\nb", 1),
            ("(?<=a)b", "abcb", 1),
            ("x(?#comment)y", "xy", 1),
            ("(?P<n>a)|b", "ab", 2),
        ] {
            let re = py::Regex::new(p).unwrap();
            assert_eq!(re.count(t).unwrap(), n, "re.findall({p:?}, {t:?})");
        }
    }
}
