//! A bound on nesting. The JavaScript and MDX parsers recurse once per level
//! of nesting, so a hostile file (1,500 nested `require(` calls, deep JSX, a
//! tower of `>` quotes) would overflow the stack. Before a file reaches them,
//! one linear pass estimates its nesting; a file past [`MAX_DEPTH`] is
//! reported and read by a flat token scan instead ([`fallback`]).

use super::image_path::{is_external, looks_like_image};
use super::{ParseProblem, RawReference, RefKind};

/// Deepest nesting handed to a recursive parser. Real sources stay far below
/// it (a few dozen levels); extraction threads have stacks sized for it.
pub const MAX_DEPTH: usize = 256;

/// What kind of text is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// Markdown and markup: brackets, tags and line containers.
    Markup,
    /// JavaScript: also the constructs that nest without brackets —
    /// `a ? b : c ? …`, `x => y => …`, `a = b = …`, prefix operators, `else if`.
    Script,
}

/// The first place where `text` nests deeper than `limit`: brackets, tags
/// (`<a>` … `</a>`), per line the Markdown containers (`>` quotes, list
/// markers, indentation) and, for scripts, the chains that nest without
/// brackets (counted per bracket level, reset at `,` and `;`). An
/// over-estimate is harmless: the file is still read, by the fallback.
pub fn too_deep(text: &str, limit: usize, kind: Nesting) -> Option<usize> {
    let bytes = text.as_bytes();
    let script = kind == Nesting::Script;
    // Per open bracket: (chain tokens since the statement began, `if`/`else`s in it).
    let mut levels: Vec<(usize, usize)> = vec![(0, 0)];
    let mut chained = 0usize;
    let mut tags = 0usize;
    let mut line_start = true;
    let mut prefix = 0usize;
    let mut last_significant = b';';
    // The first byte after the last run of white space looked past, and where.
    let mut next_significant = (0usize, b';');
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if line_start && !script {
            match b {
                // Two columns of indentation, a `>` or a list marker: one level.
                b' ' => prefix += 1,
                b'\t' => prefix += 4,
                b'>' => prefix += 2,
                b'-' | b'*' | b'+' if bytes.get(i + 1) == Some(&b' ') => prefix += 2,
                _ => line_start = false,
            }
            if prefix / 2 > limit {
                return Some(i);
            }
        }
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        let prev = if i == 0 { b' ' } else { bytes[i - 1] };
        let prev_significant = last_significant;
        if script && let Some(end) = skip_literal(bytes, i) {
            // A tagged template (`` x`a``b` ``) nests like a call.
            if b == b'`'
                && (is_word_byte(prev_significant)
                    || matches!(prev_significant, b'`' | b')' | b']'))
                && let Some(level) = levels.last_mut()
            {
                level.0 += 1;
                chained += 1;
            }
            last_significant = bytes[end.saturating_sub(1).max(i)];
            i = end;
            continue;
        }
        if !b.is_ascii_whitespace() {
            last_significant = b;
        }
        let mut reset = false;
        let mut chain = 0;
        let mut branch = false;
        match b {
            b'\n' => {
                line_start = true;
                prefix = 0;
                // A line break ends a statement unless an operator carries it on.
                // What follows a run of blank lines is found once for the run.
                if script {
                    if next_significant.0 <= i {
                        next_significant = bytes[i + 1..]
                            .iter()
                            .position(|c| !c.is_ascii_whitespace())
                            .map_or((bytes.len(), b';'), |e| (i + 1 + e, bytes[i + 1 + e]));
                    }
                    reset =
                        !is_continuation(last_significant) && !is_continuation(next_significant.1);
                }
            }
            b'(' | b'[' | b'{' => {
                // A call on a call (`f()()`, `a[0][1]`) nests without growing the brackets.
                if script
                    && b != b'{'
                    && matches!(prev_significant, b')' | b']')
                    && let Some(level) = levels.last_mut()
                {
                    level.0 += 1;
                    chained += 1;
                }
                levels.push((0, 0));
            }
            b')' | b']' | b'}' => {
                if levels.len() > 1
                    && let Some((tokens, branches)) = levels.pop()
                {
                    chained -= tokens + branches;
                    // A closed block ends the statement around it.
                    reset = script && b == b'}';
                }
            }
            b',' | b';' => reset = script,
            b'<' if !script || next.is_ascii_alphabetic() || next == b'/' => match next {
                b'/' => tags = tags.saturating_sub(1),
                c if c.is_ascii_alphabetic() => tags += 1,
                _ => {}
            },
            b'/' if next == b'>' => tags = tags.saturating_sub(1),
            b'.' if script && matches!(prev_significant, b')' | b']') => chain = 1,
            b'?' | b'!' | b'~' | b'=' | b':' | b'+' | b'-' | b'*' | b'/' | b'%' | b'|' | b'&'
            | b'^' | b'<' | b'>'
                if script =>
            {
                chain = 1
            }
            b'a'..=b'z' if script && !is_word_byte(prev) => {
                let word_end = bytes[i..]
                    .iter()
                    .position(|c| !is_word_byte(*c))
                    .map_or(bytes.len(), |e| i + e);
                match &bytes[i..word_end] {
                    b"if" | b"else" => branch = true,
                    b"new" | b"await" | b"typeof" | b"void" | b"delete" | b"yield" | b"in"
                    | b"instanceof" => chain = 1,
                    _ => {}
                }
                i = word_end;
            }
            _ => {}
        }
        if let Some(level) = levels.last_mut() {
            if reset {
                chained -= level.0;
                level.0 = 0;
                // An `if` chain ends with its statement unless an `else` follows.
                if matches!(b, b';' | b'}') && !followed_by_else(&bytes[i + 1..]) {
                    chained -= level.1;
                    level.1 = 0;
                }
            }
            level.0 += chain;
            chained += chain;
            if branch {
                level.1 += 1;
                chained += 1;
            }
        }
        if levels.len() - 1 + chained > limit || tags > limit {
            return Some(i.min(bytes.len().saturating_sub(1)));
        }
        if !b.is_ascii_lowercase() || !script || is_word_byte(prev) {
            i += 1;
        }
    }
    None
}

/// In a script, the end of a comment or string literal starting at `i`
/// (their contents do not nest); `None` elsewhere. Template literals are
/// skipped whole, `${…}` included.
fn skip_literal(bytes: &[u8], i: usize) -> Option<usize> {
    let find = |from: usize, needle: &[u8]| {
        bytes[from.min(bytes.len())..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map_or(bytes.len(), |e| from + e + needle.len())
    };
    match (bytes[i], bytes.get(i + 1)) {
        (b'/', Some(b'/')) => Some(
            bytes[i..]
                .iter()
                .position(|c| *c == b'\n')
                .map_or(bytes.len(), |e| i + e),
        ),
        (b'/', Some(b'*')) => Some(find(i + 2, b"*/")),
        (q @ (b'"' | b'\'' | b'`'), _) => {
            let mut j = i + 1;
            while j < bytes.len() {
                match bytes[j] {
                    b'\\' => j += 2,
                    c if c == q => return Some(j + 1),
                    b'\n' if q != b'`' => return Some(j),
                    _ => j += 1,
                }
            }
            Some(bytes.len())
        }
        _ => None,
    }
}

fn followed_by_else(rest: &[u8]) -> bool {
    let start = rest
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(rest.len());
    rest[start..].starts_with(b"else") && !rest.get(start + 4).is_some_and(|c| is_word_byte(*c))
}

/// Bytes that carry an expression over a line break.
fn is_continuation(b: u8) -> bool {
    matches!(
        b,
        b'.' | b'?'
            | b':'
            | b'='
            | b'+'
            | b'-'
            | b'*'
            | b'/'
            | b'%'
            | b'|'
            | b'&'
            | b'^'
            | b'<'
            | b'>'
            | b'!'
            | b'~'
            | b'('
            | b'['
            | b'`'
    )
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// The problem reported for a file nested past the limit at `offset`.
pub fn problem(offset: usize) -> ParseProblem {
    ParseProblem::new(
        offset,
        format!(
            "nested too deeply (more than {MAX_DEPTH} levels) for the full parser; read by the fallback scan instead"
        ),
    )
}

/// The flat scan: every quoted string, and every whitespace-separated token,
/// that names an image with a folder (`/img/x.png`, `./a.jpg`). Linear, no
/// recursion; weaker than a parse, so it reports nothing it cannot see whole.
pub fn fallback(text: &str, offset: usize, out: &mut Vec<RawReference>) {
    let is_delimiter = |c: char| c.is_whitespace() || "\"'`()[]{}<>=,;".contains(c);
    let mut start = None;
    let ends = text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')));
    for (i, c) in ends {
        if !is_delimiter(c) {
            start.get_or_insert(i);
            continue;
        }
        let Some(from) = start.take() else { continue };
        let token = text[from..i].trim_end_matches(['.', ':']);
        if token.contains('/') && looks_like_image(token) && !is_external(token) {
            out.push(RawReference::new(offset + from, token, RefKind::Data));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_found() {
        use Nesting::{Markup, Script};
        let deep = "require(".repeat(2_000);
        assert!(too_deep(&deep, MAX_DEPTH, Script).is_some());
        let tags = "<a>".repeat(2_000);
        assert!(too_deep(&tags, MAX_DEPTH, Markup).is_some());
        let quotes = format!("{}x\n", "> ".repeat(2_000));
        assert!(too_deep(&quotes, MAX_DEPTH, Markup).is_some());
        for chain in [
            "a ? b : ",
            "a ?\n b :\n ",
            "x => ",
            "a = ",
            "!",
            "new ",
            "else if (a) x(); ",
            "\n  .y()",
            "``\n",
        ] {
            let text = format!("{}1", chain.repeat(2_000));
            assert!(too_deep(&text, MAX_DEPTH, Script).is_some(), "{chain}");
        }
        // Long flat code and prose are not deep.
        let flat = "const a = !b && c ? d : e, f = (g) => h;\nif (a) { b() }\nconst i = j\nk = l\n"
            .repeat(5_000);
        assert_eq!(too_deep(&flat, MAX_DEPTH, Script), None);
        let prose = "Why? Because! a = b, if else.\n".repeat(5_000);
        assert_eq!(too_deep(&prose, MAX_DEPTH, Markup), None);
        assert_eq!(
            too_deep(
                "const a = [{ b: (c) }]\n<div><img/></div>",
                MAX_DEPTH,
                Script
            ),
            None
        );
    }

    #[test]
    fn runs_of_blank_lines_are_passed_once() {
        use Nesting::Script;
        // Each line break of a long blank run once looked ahead to the run's
        // end: a megabyte of blank lines took hours.
        let blank = format!("a = b\n{}c\n", "\n \t\r\n".repeat(250_000));
        assert_eq!(too_deep(&blank, MAX_DEPTH, Script), None);
        // An operator after a blank run still carries the statement over it.
        let carried = format!("{}1", "a\n\n\n ?\n\n b\n\n :\n\n\n ".repeat(2_000));
        assert!(too_deep(&carried, MAX_DEPTH, Script).is_some());
        let ended = "a\n\n\n b\n\n".repeat(2_000);
        assert_eq!(too_deep(&ended, MAX_DEPTH, Script), None);
    }

    #[test]
    fn fallback_finds_paths_with_offsets() {
        let text = "x(require('/img/a.png'), \"./b.jpg\", 'c.png', https://x.test/d.png)";
        let mut out = Vec::new();
        fallback(text, 0, &mut out);
        let raws: Vec<&str> = out.iter().map(|r| r.raw.as_str()).collect();
        assert_eq!(raws, ["/img/a.png", "./b.jpg"]);
        for r in &out {
            assert_eq!(&text[r.start..r.end], r.raw);
        }
    }
}
