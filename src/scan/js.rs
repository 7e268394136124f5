//! JavaScript and TypeScript (with JSX), and the script parts of MDX and
//! Astro, through `oxc_parser` and a visitor. Strings count in reference
//! positions — imports, `require`, `new URL`, `import.meta.glob`, JSX image
//! attributes, image-ish object keys, CSS `url(…)` — and elsewhere only when
//! they look like a path with a folder, so tooling strings such as
//! `['.png', '.jpg']` or `'cat.png'` fixtures are not references. HTML
//! written in a string or template (`el.innerHTML = `<img src=…>``, a Lit
//! `html`…`` template) is read as HTML.

use std::collections::HashSet;
use std::ops::Range;

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, BinaryOperator, CallExpression, Expression, ImportDeclaration, ImportExpression,
    JSXAttribute, JSXAttributeName, JSXAttributeValue, JSXExpression, NewExpression,
    ObjectProperty, StringLiteral, TemplateLiteral,
};
use oxc_ast_visit::{Visit, walk};
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType, Span};

use super::image_path::{css_urls, looks_like_image, srcset_candidates, strength_in_code_context};
use super::{
    Base, ExtractOptions, Extraction, ParseProblem, RawReference, RefKind, Strength, nesting,
};

/// The oxc source type for a file name; `.js`-family files get JSX, as Gatsby,
/// CRA and Docusaurus put JSX in `.js`.
pub fn source_type_for(path: &str) -> SourceType {
    let ext = crate::repo_path::extension(path).unwrap_or_default();
    match ext.as_str() {
        "ts" | "mts" | "cts" => SourceType::ts(),
        "tsx" => SourceType::tsx(),
        "cjs" => SourceType::cjs().with_jsx(true),
        _ => SourceType::mjs().with_jsx(true),
    }
}

/// How object properties of a framework config file are anchored, by file name.
fn config_base(path_hint: Option<&str>) -> Option<Base> {
    let name = crate::repo_path::file_name(path_hint?);
    if name.starts_with("docusaurus.config.") {
        Some(Base::Static)
    } else if name.starts_with("gatsby-config.") {
        Some(Base::Site)
    } else {
        None
    }
}

/// Extracts references from a whole program (`text` starts at `offset` in its file).
pub fn extract_program(
    text: &str,
    source_type: SourceType,
    offset: usize,
    options: &ExtractOptions,
    out: &mut Extraction,
) {
    extract_program_in(text, source_type, offset, options, None, out);
}

/// Like [`extract_program`], for the file at `path` (framework config files
/// anchor their object properties differently).
pub fn extract_program_in(
    text: &str,
    source_type: SourceType,
    offset: usize,
    options: &ExtractOptions,
    path: Option<&str>,
    out: &mut Extraction,
) {
    if let Some(at) = nesting::too_deep(text, nesting::MAX_DEPTH, nesting::Nesting::Script) {
        out.problems.push(nesting::problem(offset + at));
        nesting::fallback(text, offset, &mut out.references);
        return;
    }
    let allocator = Allocator::default();
    let ret = Parser::new(&allocator, text, source_type).parse();
    if let Some(error) = ret.diagnostics.errors().next() {
        out.problems.push(ParseProblem::new(
            offset + error.labels.first().map_or(0, |l| l.offset() as usize),
            error.message.to_string(),
        ));
    }
    if ret.panicked {
        // No tree to walk: the file is still read, by the fallback scan.
        nesting::fallback(text, offset, &mut out.references);
        return;
    }
    let mut collector = Collector::new(offset, options, config_base(path));
    collector.visit_program(&ret.program);
    out.references.append(&mut collector.references);
}

/// Extracts references from one expression (an MDX `{…}` or attribute value).
/// Returns false when it does not parse (a comment-only `{/* … */}` is fine to skip).
pub fn extract_expression(
    text: &str,
    offset: usize,
    options: &ExtractOptions,
    out: &mut Vec<RawReference>,
) -> bool {
    if nesting::too_deep(text, nesting::MAX_DEPTH, nesting::Nesting::Script).is_some() {
        nesting::fallback(text, offset, out);
        return false;
    }
    let allocator = Allocator::default();
    let Ok(expression) = Parser::new(&allocator, text, SourceType::tsx()).parse_expression() else {
        return false;
    };
    let mut collector = Collector::new(offset, options, None);
    collector.visit_expression(&expression);
    out.append(&mut collector.references);
    true
}

/// Whether a JS/TS parse error means "the text stopped too early" (so MDX should
/// feed more lines) rather than "this is wrong".
pub fn program_error(text: &str) -> Option<(String, usize, bool)> {
    if nesting::too_deep(text, nesting::MAX_DEPTH, nesting::Nesting::Script).is_some() {
        // Too deep to parse here; the extraction reports it and scans it flat.
        return None;
    }
    let allocator = Allocator::default();
    let ret = Parser::new(&allocator, text, SourceType::mjs().with_jsx(true)).parse();
    let error = ret.diagnostics.errors().next()?;
    let offset = error
        .labels
        .first()
        .map_or(text.len(), |l| l.offset() as usize);
    let message = error.message.to_string();
    let at_end = offset >= text.trim_end().len()
        || message.contains("Unterminated")
        || message.contains("Unexpected end");
    Some((message, offset, at_end))
}

/// How an MDX expression whose closing brace was reached reads as
/// JavaScript: complete, cut short (the brace belongs to the expression's
/// own object, block, string or template: read on), or wrong at an offset.
pub enum ExpressionCheck {
    /// A whole expression, or only comments.
    Complete,
    /// It ends too early: the brace that ended it is inside it.
    CutShort(String),
    /// A syntax error at this offset of the text.
    Invalid(String, usize),
}

/// Checks an MDX expression's text (what is between `{` and a `}`).
pub fn check_expression(text: &str) -> ExpressionCheck {
    if nesting::too_deep(text, nesting::MAX_DEPTH, nesting::Nesting::Script).is_some() {
        // Too deep to parse here; its extraction reports it.
        return ExpressionCheck::Complete;
    }
    let allocator = Allocator::default();
    let bare = Parser::new(&allocator, text, SourceType::tsx()).parse();
    if bare.diagnostics.errors().next().is_none() && bare.program.body.is_empty() {
        return ExpressionCheck::Complete;
    }
    const OPEN: &str = "(\n";
    let wrapped = format!("{OPEN}{text}\n)");
    let allocator = Allocator::default();
    let ret = Parser::new(&allocator, &wrapped, SourceType::tsx()).parse();
    let Some(error) = ret.diagnostics.errors().next() else {
        return ExpressionCheck::Complete;
    };
    let message = error.message.to_string();
    let offset = error
        .labels
        .first()
        .map_or(wrapped.len(), |l| l.offset() as usize);
    if offset + 2 >= wrapped.len() || message.contains("Unterminated") {
        ExpressionCheck::CutShort(message)
    } else {
        ExpressionCheck::Invalid(message, offset.saturating_sub(OPEN.len()).min(text.len()))
    }
}

struct Collector<'o> {
    offset: usize,
    options: &'o ExtractOptions,
    config_base: Option<Base>,
    references: Vec<RawReference>,
    /// Span starts of literals already reported by a specific rule.
    handled: HashSet<u32>,
}

impl<'o> Collector<'o> {
    fn new(offset: usize, options: &'o ExtractOptions, config_base: Option<Base>) -> Self {
        Collector {
            offset,
            options,
            config_base,
            references: Vec::new(),
            handled: HashSet::new(),
        }
    }

    /// Records a string literal's value as a reference of `kind`.
    fn string(
        &mut self,
        literal: &StringLiteral<'_>,
        kind: RefKind,
        strength: Strength,
        base: Base,
    ) {
        self.handled.insert(literal.span.start);
        let value = literal.value.as_str();
        if !looks_like_image(value) {
            self.css_in_string(value, literal.span);
            return;
        }
        let start = self.offset + literal.span.start as usize + 1;
        let mut reference = RawReference::new(start, value, kind).with_base(base);
        reference.end = self.offset
            + (literal.span.end as usize)
                .saturating_sub(1)
                .max(start - self.offset);
        reference.strength = strength;
        self.references.push(reference);
    }

    /// Records a template literal as a path or, with dynamic parts, a pattern.
    fn template(&mut self, template: &TemplateLiteral<'_>, kind: RefKind, base: Base) {
        self.handled.insert(template.span.start);
        let Some((pattern, dynamic, start)) = template_pattern(template) else {
            return;
        };
        if !looks_like_image(&pattern) {
            return;
        }
        let base = if starts_at_base_url(template) && !pattern.starts_with('/') {
            Base::Static
        } else {
            base
        };
        let mut reference =
            RawReference::new(self.offset + start as usize, &pattern, kind).with_base(base);
        reference.end = self.offset + (template.span.end as usize).saturating_sub(1);
        if dynamic {
            reference.strength = Strength::Pattern;
        }
        self.references.push(reference);
    }

    /// A string or template in a reference position.
    fn expression(
        &mut self,
        expression: &Expression<'_>,
        kind: RefKind,
        base: Base,
        bare_is_weak: bool,
    ) {
        match expression.get_inner_expression() {
            Expression::StringLiteral(literal) => {
                let strength = if bare_is_weak {
                    strength_in_code_context(literal.value.as_str())
                } else {
                    super::image_path::strength_of(literal.value.as_str())
                };
                self.string(literal, kind, strength, base);
            }
            Expression::TemplateLiteral(template) => self.template(template, kind, base),
            Expression::ArrayExpression(array) => {
                for element in &array.elements {
                    if let Some(expression) = element.as_expression() {
                        self.expression(expression, kind, base, bare_is_weak);
                    }
                }
            }
            Expression::ConditionalExpression(cond) => {
                self.expression(&cond.consequent, kind, base, bare_is_weak);
                self.expression(&cond.alternate, kind, base, bare_is_weak);
            }
            Expression::BinaryExpression(binary) if binary.operator == BinaryOperator::Addition => {
                self.concatenation(expression, kind, base);
            }
            _ => {}
        }
    }

    /// `'/images/team/' + name + '-photo.jpg'`: the literal parts joined with
    /// `*` for each dynamic part, as a template literal is. A concatenation
    /// whose parts are all literal is one path.
    fn concatenation(&mut self, expression: &Expression<'_>, kind: RefKind, base: Base) {
        self.handled.insert(expression.span().start);
        let mut parts: Vec<Option<(&str, Span)>> = Vec::new();
        flatten_concatenation(expression, &mut parts);
        let mut pattern = String::new();
        let mut dynamic = false;
        let mut start = None;
        for part in &parts {
            match part {
                Some((text, span)) => {
                    // Its literals are read here, not again as strings.
                    self.handled.insert(span.start);
                    start.get_or_insert(span.start + 1);
                    pattern.push_str(text);
                }
                None => {
                    // A leading dynamic part before `/` is a base path (`base + '/x.png'`).
                    if !pattern.is_empty() && !pattern.ends_with('*') {
                        pattern.push('*');
                        dynamic = true;
                    } else if pattern.is_empty() {
                        continue;
                    }
                }
            }
        }
        if !looks_like_image(&pattern) {
            return;
        }
        let Some(start) = start else { return };
        let base = if leftmost_is_base_url(expression) && !pattern.starts_with('/') {
            Base::Static
        } else {
            base
        };
        let end = expression.span().end;
        let mut reference =
            RawReference::new(self.offset + start as usize, &pattern, kind).with_base(base);
        reference.end = self.offset + (end as usize).saturating_sub(1).max(start as usize);
        if dynamic {
            reference.strength = Strength::Pattern;
        }
        self.references.push(reference);
    }

    /// HTML markup in a string or template: `text` is its source between the
    /// delimiters (each `${…}` of a template blanked), starting at `start`.
    /// Returns whether it held markup with references.
    fn markup(&mut self, text: &str, start: u32, gaps: &[Range<usize>]) -> bool {
        if !has_markup(text) {
            return false;
        }
        let base = self.offset + start as usize;
        let mut found = Vec::new();
        super::html::extract(text, base, &mut found);
        found.retain_mut(|reference| {
            let span = reference.start - base..reference.end - base;
            // Gaps are in order: the first that ends after the span's start.
            let next = gaps.partition_point(|gap| gap.end <= span.start);
            if gaps.get(next).is_some_and(|gap| gap.start < span.end) {
                // `src="/team/${name}.png"`: the value is a pattern.
                reference.raw = with_stars(&text[span.clone()], span.start, gaps);
                reference.strength = Strength::Pattern;
                return looks_like_image(&reference.raw);
            }
            // A page resolves a bare name against its own URL, not this file.
            reference.strength = strength_in_code_context(&reference.raw);
            true
        });
        let any = !found.is_empty();
        self.references.append(&mut found);
        any
    }

    /// CSS `url(…)` inside a string (style props, Tailwind `bg-[url(/x.png)]`).
    fn css_in_string(&mut self, value: &str, span: Span) -> bool {
        let mut found = false;
        for (at, url) in css_urls(value) {
            let url = url.trim_end_matches(']');
            if looks_like_image(url) {
                let start = self.offset + span.start as usize + 1 + at;
                self.references
                    .push(RawReference::new(start, url, RefKind::CssUrl));
                found = true;
            }
        }
        found
    }
}

/// Joins a template's static parts with `*` for each dynamic part; a leading
/// `${base}` directly before `/` (a base path) is dropped. The flag says
/// whether any dynamic part is left.
/// The offset is where the kept text starts in the source.
fn template_pattern(template: &TemplateLiteral<'_>) -> Option<(String, bool, u32)> {
    let quasis: Vec<&str> = template
        .quasis
        .iter()
        .map(|q| {
            q.value
                .cooked
                .as_ref()
                .map_or(q.value.raw.as_str(), |c| c.as_str())
        })
        .collect();
    let mut parts = quasis.as_slice();
    if parts.len() >= 2
        && parts[0].is_empty()
        && (parts[1].starts_with('/') || starts_at_base_url(template))
    {
        parts = &parts[1..];
    }
    let pattern = parts.join("*");
    let start = template.quasis[quasis.len() - parts.len()].span.start;
    (!pattern.is_empty()).then_some((pattern, parts.len() > 1, start))
}

/// `import.meta.env.BASE_URL` (Vite, Astro): the site's base path with its
/// trailing slash, so `${import.meta.env.BASE_URL}x.png` names the static
/// folder's `x.png`.
fn is_base_url(expression: &Expression<'_>) -> bool {
    matches!(
        expression.get_inner_expression(),
        Expression::StaticMemberExpression(member) if member.property.name == "BASE_URL"
    )
}

/// Whether a template begins with `${import.meta.env.BASE_URL}`.
fn starts_at_base_url(template: &TemplateLiteral<'_>) -> bool {
    template
        .quasis
        .first()
        .is_some_and(|q| q.value.raw.is_empty())
        && template.expressions.first().is_some_and(is_base_url)
}

/// Whether a `+` chain begins with `import.meta.env.BASE_URL`.
fn leftmost_is_base_url(expression: &Expression<'_>) -> bool {
    let mut leftmost = expression.get_inner_expression();
    while let Expression::BinaryExpression(binary) = leftmost
        && binary.operator == BinaryOperator::Addition
    {
        leftmost = binary.left.get_inner_expression();
    }
    is_base_url(leftmost)
}

/// A template's source text between its backticks, each `${…}` blanked to
/// spaces (so offsets hold), where it starts, and the blanked ranges.
fn template_source(template: &TemplateLiteral<'_>) -> Option<(String, u32, Vec<Range<usize>>)> {
    let start = template.quasis.first()?.span.start;
    let mut text = String::new();
    let mut gaps = Vec::new();
    for quasi in &template.quasis {
        let at = (quasi.span.start - start) as usize;
        if at > text.len() {
            gaps.push(text.len()..at);
            text.extend(std::iter::repeat_n(' ', at - text.len()));
        }
        text.push_str(quasi.value.raw.as_str());
    }
    Some((text, start, gaps))
}

/// `value` (which starts at `at` in a template's text) with each blanked
/// range of `gaps` it overlaps written as `*`.
fn with_stars(value: &str, at: usize, gaps: &[Range<usize>]) -> String {
    let end = at + value.len();
    // Gaps are in order: those overlapping the value form one run.
    let first = gaps.partition_point(|gap| gap.end <= at);
    let mut out = String::new();
    let mut from = at;
    for gap in gaps[first..].iter().take_while(|gap| gap.start < end) {
        out.push_str(&value[from - at..gap.start.max(from) - at]);
        out.push('*');
        from = gap.end.min(end);
    }
    out.push_str(&value[from - at..]);
    out
}

/// Whether `text` holds an HTML tag (`<` and a letter).
fn has_markup(text: &str) -> bool {
    memchr::memchr_iter(b'<', text.as_bytes()).any(|at| {
        text.as_bytes()
            .get(at + 1)
            .is_some_and(u8::is_ascii_alphabetic)
    })
}

/// The operands of a chain of `+`, left to right: string literals with their
/// spans, `None` for anything else.
fn flatten_concatenation<'e>(
    expression: &'e Expression<'_>,
    out: &mut Vec<Option<(&'e str, Span)>>,
) {
    match expression.get_inner_expression() {
        Expression::BinaryExpression(binary) if binary.operator == BinaryOperator::Addition => {
            flatten_concatenation(&binary.left, out);
            flatten_concatenation(&binary.right, out);
        }
        Expression::StringLiteral(literal) => {
            out.push(Some((literal.value.as_str(), literal.span)))
        }
        _ => out.push(None),
    }
}

/// Whether a `+` chain has a string literal with a folder in it (so it may build a path).
fn concatenates_a_path(expression: &Expression<'_>) -> bool {
    let mut parts = Vec::new();
    flatten_concatenation(expression, &mut parts);
    parts.iter().flatten().any(|(text, _)| text.contains('/'))
}

fn is_import_meta_url(expression: &Expression<'_>) -> bool {
    match expression.get_inner_expression() {
        Expression::StaticMemberExpression(member) => {
            member.property.name == "url" && matches!(member.object, Expression::ImportMeta(_))
        }
        _ => false,
    }
}

fn argument_expression<'b, 'a>(argument: &'b Argument<'a>) -> Option<&'b Expression<'a>> {
    argument.as_expression()
}

impl<'a> Visit<'a> for Collector<'_> {
    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        let strength = super::image_path::strength_of(it.source.value.as_str());
        self.string(&it.source, RefKind::EsmImport, strength, Base::File);
        walk::walk_import_declaration(self, it);
    }

    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        self.expression(&it.source, RefKind::EsmImport, Base::File, false);
        walk::walk_import_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let first = it.arguments.first().and_then(argument_expression);
        match &it.callee {
            callee if callee.is_specific_id("require") => {
                if let Some(first) = first {
                    self.expression(first, RefKind::Require, Base::File, false);
                }
            }
            callee if callee.is_specific_id("useBaseUrl") || callee.is_specific_id("withBase") => {
                if let Some(first) = first {
                    self.expression(first, RefKind::BaseUrl, Base::Static, false);
                }
            }
            Expression::StaticMemberExpression(member)
                if member.property.name == "glob"
                    && matches!(member.object, Expression::ImportMeta(_)) =>
            {
                if let Some(first) = first {
                    self.expression(first, RefKind::Glob, Base::File, false);
                    // Every glob is a pattern, even without wildcards.
                    if let Some(last) = self.references.last_mut()
                        && last.kind == RefKind::Glob
                    {
                        last.strength = Strength::Pattern;
                    }
                }
            }
            _ => {}
        }
        walk::walk_call_expression(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        if it.callee.is_specific_id("URL")
            && let Some(first) = it.arguments.first().and_then(argument_expression)
        {
            let base = match it.arguments.get(1).and_then(argument_expression) {
                Some(second) if is_import_meta_url(second) => Base::File,
                Some(_) => Base::Static,
                None => Base::Static,
            };
            self.expression(first, RefKind::NewUrl, base, false);
        }
        walk::walk_new_expression(self, it);
    }

    fn visit_jsx_attribute(&mut self, it: &JSXAttribute<'a>) {
        let name = match &it.name {
            JSXAttributeName::Identifier(ident) => ident.name.as_str(),
            JSXAttributeName::NamespacedName(ns) => ns.name.name.as_str(),
        };
        if self.options.is_image_key(name) {
            match &it.value {
                Some(JSXAttributeValue::StringLiteral(literal))
                    if name.eq_ignore_ascii_case("srcset") =>
                {
                    self.handled.insert(literal.span.start);
                    for (at, url) in srcset_candidates(literal.value.as_str()) {
                        if looks_like_image(url) {
                            let start = self.offset + literal.span.start as usize + 1 + at;
                            let mut reference = RawReference::new(start, url, RefKind::JsxAttr);
                            reference.strength = strength_in_code_context(url);
                            self.references.push(reference);
                        }
                    }
                }
                Some(JSXAttributeValue::StringLiteral(literal)) => {
                    let strength = strength_in_code_context(literal.value.as_str());
                    self.string(literal, RefKind::JsxAttr, strength, Base::File);
                }
                Some(JSXAttributeValue::ExpressionContainer(container)) => {
                    if let Some(expression) = jsx_expression(&container.expression) {
                        self.expression(expression, RefKind::JsxAttr, Base::File, true);
                    }
                }
                _ => {}
            }
        }
        walk::walk_jsx_attribute(self, it);
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        if let Some(key) = it.key.static_name()
            && self.options.is_image_key(&key)
        {
            let (kind, base) = match self.config_base {
                Some(base) => (RefKind::Config, base),
                None => (RefKind::Data, Base::File),
            };
            self.expression(&it.value, kind, base, true);
        }
        walk::walk_object_property(self, it);
    }

    fn visit_expression(&mut self, it: &Expression<'a>) {
        // A `+` chain that builds a path; inner links of the chain share its start.
        if let Expression::BinaryExpression(binary) = it
            && binary.operator == BinaryOperator::Addition
            && !self.handled.contains(&binary.span.start)
            && concatenates_a_path(it)
        {
            self.concatenation(it, RefKind::Data, Base::File);
        }
        walk::walk_expression(self, it);
    }

    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        if self.handled.contains(&it.span.start) {
            return;
        }
        let value = it.value.as_str();
        // Offsets into the markup hold only while the value is the source text.
        if value.len() + 2 == it.span.size() as usize && self.markup(value, it.span.start + 1, &[])
        {
            return;
        }
        if self.css_in_string(value, it.span) {
            return;
        }
        if value.contains('/') && !value.contains(' ') && looks_like_image(value) {
            self.string(
                it,
                RefKind::Data,
                super::image_path::strength_of(value),
                Base::File,
            );
        }
    }

    fn visit_template_literal(&mut self, it: &TemplateLiteral<'a>) {
        // The template's text is put together only when a part holds a tag.
        if !self.handled.contains(&it.span.start)
            && it.quasis.iter().any(|q| has_markup(q.value.raw.as_str()))
            && let Some((text, start, gaps)) = template_source(it)
            && self.markup(&text, start, &gaps)
        {
            self.handled.insert(it.span.start);
        }
        if !self.handled.contains(&it.span.start)
            && let Some((pattern, _, _)) = template_pattern(it)
            && pattern.contains('/')
            && !self.css_in_string(&pattern, it.span)
        {
            self.template(it, RefKind::Data, Base::File);
        }
        walk::walk_template_literal(self, it);
    }
}

fn jsx_expression<'b, 'a>(expression: &'b JSXExpression<'a>) -> Option<&'b Expression<'a>> {
    expression.as_expression()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(text: &str, path: &str) -> Vec<(String, RefKind, Strength, Base)> {
        let mut out = Extraction::default();
        extract_program_in(
            text,
            source_type_for(path),
            0,
            &ExtractOptions::default(),
            Some(path),
            &mut out,
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        for r in &out.references {
            if r.strength != Strength::Pattern {
                assert_eq!(&text[r.start..r.end], r.raw, "offsets of {r:?}");
            }
        }
        out.references
            .into_iter()
            .map(|r| (r.raw, r.kind, r.strength, r.base))
            .collect()
    }

    fn raws(text: &str, path: &str) -> Vec<String> {
        refs(text, path).into_iter().map(|r| r.0).collect()
    }

    #[test]
    fn imports_requires_and_urls() {
        let text = r#"
import hero from './hero.png'
import logo from '@/public/logo.svg?url'
import React from 'react'
const lazy = import('./lazy.webp')
const old = require('../img/old.jpg')
const a = new URL('./a.png', import.meta.url)
const og = new URL('og.jpg?v=1', site).href
const many = import.meta.glob('../assets/showcase/*.{png,jpg}')
"#;
        let found = refs(text, "src/page.tsx");
        let expected = [
            (
                "./hero.png",
                RefKind::EsmImport,
                Strength::Strong,
                Base::File,
            ),
            (
                "@/public/logo.svg?url",
                RefKind::EsmImport,
                Strength::Strong,
                Base::File,
            ),
            (
                "./lazy.webp",
                RefKind::EsmImport,
                Strength::Strong,
                Base::File,
            ),
            (
                "../img/old.jpg",
                RefKind::Require,
                Strength::Strong,
                Base::File,
            ),
            ("./a.png", RefKind::NewUrl, Strength::Strong, Base::File),
            (
                "og.jpg?v=1",
                RefKind::NewUrl,
                Strength::Strong,
                Base::Static,
            ),
            (
                "../assets/showcase/*.{png,jpg}",
                RefKind::Glob,
                Strength::Pattern,
                Base::File,
            ),
        ];
        let found: Vec<_> = found
            .iter()
            .map(|(r, k, s, b)| (r.as_str(), *k, *s, *b))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn jsx_attributes_and_object_keys() {
        let text = r#"
export default function Page() {
  const meta = { ogImage: '/og/home.png', title: 'x.png title' }
  return (<>
    <img src="/images/a.png" srcSet="/images/a.png 1x, /images/a@2x.png 2x" alt="" />
    <Card thumbnail="pls.cli.rs.png" />
    <Image src={"/images/b.png"} />
    <img src={hero} />
    <div className="bg-[url(/images/bg.jpg)]" style={{ backgroundImage: 'url(/images/c.webp)' }} />
    <link href={`${basePath}/static/favicons/favicon-32x32.png`} />
    <img src={`/avatars/${id}.png`} />
  </>)
}
"#;
        let found = refs(text, "app/page.jsx");
        let raws: Vec<&str> = found.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(
            raws,
            [
                "/og/home.png",
                "/images/a.png",
                "/images/a.png",
                "/images/a@2x.png",
                "pls.cli.rs.png",
                "/images/b.png",
                "/images/bg.jpg",
                "/images/c.webp",
                "/static/favicons/favicon-32x32.png",
                "/avatars/*.png",
            ]
        );
        assert_eq!(found[4].2, Strength::WeakBasename);
        assert_eq!(found[6].1, RefKind::CssUrl);
        assert_eq!(found[9].2, Strength::Pattern);
    }

    #[test]
    fn markup_in_strings_and_templates_is_read_as_html() {
        let text = r#"
document.querySelector('#app').innerHTML = `
  <img src="${viteLogo}" class="logo" alt="Vite logo" />
  <svg class="icon"><use href="/icons.svg#documentation-icon"></use></svg>
  <img src="/team/${name}.png"> <img src="hero.png">
`
class MyElement extends LitElement {
  render() {
    return html`<picture><source srcset="/a.webp 1x, /a@2x.webp 2x"><img src=${this.src}></picture>`
  }
}
const badge = '<img src="/badges/ok.svg" alt="ok">'
const compare = a < b ? '/x/left.png' : '/x/right.png'
"#;
        let found = refs(text, "src/main.js");
        let raws: Vec<&str> = found.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(
            raws,
            [
                "/icons.svg#documentation-icon",
                "/team/*.png",
                "hero.png",
                "/a.webp",
                "/a@2x.webp",
                "/badges/ok.svg",
                "/x/left.png",
                "/x/right.png",
            ]
        );
        assert_eq!(found[0].1, RefKind::HtmlAttr);
        assert_eq!(found[1].2, Strength::Pattern);
        // A bare name in a page's markup is relative to the page, not the script.
        assert_eq!(found[2].2, Strength::WeakBasename);
    }

    #[test]
    fn many_expressions_in_markup_are_matched_in_one_pass() {
        let text = format!(
            "const t = `{}`",
            r#"<img src="/a.png"><img src="/p/${n}.png">"#.repeat(60_000)
        );
        let started = std::time::Instant::now();
        let found = refs(&text, "src/big.js");
        assert_eq!(found.len(), 120_000);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn the_base_url_names_the_static_folder() {
        let text = r#"
const a = <img src={`${import.meta.env.BASE_URL}vite.svg`} />
const b = <img src={import.meta.env.BASE_URL + 'images/b.png'} />
const c = <img src={`${import.meta.env.BASE_URL}/c.png`} />
const d = <img src={`${other}d.png`} />
"#;
        let found = refs(text, "src/App.tsx");
        let got: Vec<(&str, Base)> = found.iter().map(|r| (r.0.as_str(), r.3)).collect();
        assert_eq!(
            got,
            [
                ("vite.svg", Base::Static),
                ("images/b.png", Base::Static),
                ("/c.png", Base::File),
                ("*d.png", Base::File),
            ]
        );
    }

    #[test]
    fn tooling_strings_are_not_references() {
        let text = r#"
const exts = ['.png', '.jpg', '.webp']
test('missing image', () => expect(load('missing.png')).toThrow())
const msg = "convert x.png to y"
"#;
        assert!(raws(text, "scripts/tool.ts").is_empty());
    }

    #[test]
    fn docusaurus_config_keys_are_static_relative() {
        let text = "export default { favicon: 'img/favicon.ico', themeConfig: { image: 'img/card.png', navbar: { logo: { src: 'img/logo.svg' } } } }";
        let found = refs(text, "website/docusaurus.config.mjs");
        assert_eq!(found.len(), 3);
        assert!(
            found
                .iter()
                .all(|r| r.1 == RefKind::Config && r.3 == Base::Static)
        );
    }

    #[test]
    fn syntax_errors_are_reported_with_their_offset() {
        let mut out = Extraction::default();
        extract_program(
            "const a = ;\nconst b = '/x.png'",
            SourceType::mjs(),
            100,
            &ExtractOptions::default(),
            &mut out,
        );
        assert_eq!(out.problems.len(), 1);
        assert!(out.problems[0].offset >= 100);
    }
}
