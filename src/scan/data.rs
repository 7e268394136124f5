//! Data files: JSON (and `*.webmanifest` / `manifest.json` icon lists) and
//! `browserconfig.xml`.

use super::image_path::{looks_like_image, strength_in_code_context};
use super::{Base, Extraction, ParseProblem, RawReference, RefKind};

/// Every JSON string value that names an image. Web manifests are `manifest`
/// references; other JSON is `data`. Offsets come from a scan of the text for
/// string tokens, so they are exact.
pub fn extract_json(path: &str, text: &str, out: &mut Extraction) {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        // tsconfig-style JSONC is common; only report files that are not JSONC
        // either. Their strings are still read below.
        if !text.contains("//") && !text.contains("/*") {
            out.problems.push(ParseProblem::new(
                line_col_to_offset(text, e.line(), e.column()),
                format!("{e} (its strings were read anyway)"),
            ));
        }
    }
    let name = crate::repo_path::file_name(path).to_ascii_lowercase();
    let is_manifest =
        name.ends_with(".webmanifest") || name == "manifest.json" || name == "site.webmanifest";
    let kind = if is_manifest {
        RefKind::Manifest
    } else {
        RefKind::Data
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let end = j.min(bytes.len());
                // An escape before a multi-byte character can land mid-character.
                let Some(value) = text.get(start..end) else {
                    i = end + 1;
                    continue;
                };
                // A key is followed by `:`; only values count.
                let after = text[end.saturating_add(1).min(text.len())..].trim_start();
                if !after.starts_with(':') && looks_like_image(value) {
                    let mut reference = RawReference::new(start, value, kind);
                    if is_manifest {
                        // Manifest icon `src` is relative to the manifest's URL.
                        reference.base = Base::File;
                    } else {
                        reference.strength = strength_in_code_context(value);
                    }
                    out.references.push(reference);
                }
                i = end + 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |e| i + e);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i..].find("*/").map_or(bytes.len(), |e| i + e + 2);
            }
            _ => i += 1,
        }
    }
}

fn line_col_to_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// `browserconfig.xml`: `<square150x150logo src="/mstile-150x150.png"/>` and friends.
pub fn extract_browserconfig(text: &str, out: &mut Vec<RawReference>) {
    let mut from = 0;
    while let Some(pos) = text[from..].find("src=\"") {
        let start = from + pos + 5;
        let end = text[start..].find('"').map_or(text.len(), |e| start + e);
        let value = &text[start..end];
        if looks_like_image(value) {
            out.push(RawReference::new(start, value, RefKind::Manifest));
        }
        from = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_values_not_keys() {
        let text = r#"{"icons": [{"src": "/android-192.png", "sizes": "192x192"}], "x.png": 1, "logo": "img/logo.svg"}"#;
        let mut out = Extraction::default();
        extract_json("public/site.webmanifest", text, &mut out);
        let raws: Vec<&str> = out.references.iter().map(|r| r.raw.as_str()).collect();
        assert_eq!(raws, ["/android-192.png", "img/logo.svg"]);
        assert!(out.references.iter().all(|r| r.kind == RefKind::Manifest));
    }

    #[test]
    fn invalid_json_is_a_problem() {
        let mut out = Extraction::default();
        extract_json("data/users.json", "{\n  \"a\": \"x.png\",,\n}", &mut out);
        assert_eq!(out.problems.len(), 1);
        // The fallback still reads its strings.
        assert_eq!(out.references.len(), 1);
    }

    #[test]
    fn stray_escapes_do_not_panic() {
        let mut out = Extraction::default();
        extract_json(
            "data/x.json",
            "// jsonc\n{\"a\": \"\\é.png\", \"b\": \"/ok.png\"}",
            &mut out,
        );
        assert!(out.references.iter().any(|r| r.raw == "/ok.png"));
    }

    #[test]
    fn browserconfig_tiles() {
        let xml = r#"<browserconfig><msapplication><tile><square150x150logo src="/mstile-150x150.png"/></tile></msapplication></browserconfig>"#;
        let mut out = Vec::new();
        extract_browserconfig(xml, &mut out);
        assert_eq!(out[0].raw, "/mstile-150x150.png");
    }
}
