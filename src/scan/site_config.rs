//! A framework's own config file, read for the settings that decide how paths
//! resolve (`baseUrl`, `staticDirectories`, `srcDir`, `base`, `site`, …). JS and
//! TS configs are parsed with oxc and every string under a static key path is
//! kept with its line, so `assetrail sites` can say where each setting came
//! from; Hugo's TOML and YAML are read line by line.

use oxc_allocator::Allocator;
use oxc_ast::ast::{ArrayExpressionElement, CallExpression, Expression, ObjectProperty};
use oxc_ast_visit::{Visit, walk};
use oxc_parser::Parser;

use super::{LineIndex, nesting};

/// A TOML or YAML value without the comment after it
/// (`"" # the subpath of your site` → `""`): a quoted value ends at its
/// closing quote, any other at ` #`.
fn without_comment(value: &str) -> &str {
    match value.chars().next() {
        Some(quote @ ('"' | '\'')) => value[1..]
            .find(quote)
            .map_or(value, |end| &value[..end + 2]),
        _ => value.split(" #").next().unwrap_or(value).trim_end(),
    }
}

/// One string setting: its key path (`markdown.format`), value and line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Setting {
    path: String,
    value: String,
    line: u32,
    /// How many calls enclose it: `defineConfig({...})` is 1, a plugin's own
    /// options inside it are deeper and lose to the site's.
    calls: usize,
}

/// The settings read from one config file.
#[derive(Debug, Clone, Default)]
pub struct ConfigValues {
    /// Repo-relative path of the file.
    pub file: String,
    settings: Vec<Setting>,
}

impl ConfigValues {
    /// Reads a JS/TS config (`export default {…}`, `defineConfig({…})`,
    /// `module.exports = …`, `const config = …`).
    pub fn read_script(file: &str, text: &str) -> ConfigValues {
        let mut values = ConfigValues {
            file: file.to_owned(),
            settings: Vec::new(),
        };
        if nesting::too_deep(text, nesting::MAX_DEPTH, nesting::Nesting::Script).is_some() {
            return values;
        }
        let allocator = Allocator::default();
        let source_type = super::js::source_type_for(file);
        let ret = Parser::new(&allocator, text, source_type).parse();
        if ret.panicked {
            return values;
        }
        let lines = LineIndex::new(text);
        let mut reader = Reader {
            text,
            lines: &lines,
            path: Vec::new(),
            calls: 0,
            settings: &mut values.settings,
        };
        reader.visit_program(&ret.program);
        values
    }

    /// Reads top-level `key = value` (TOML) or `key: value` (YAML) lines,
    /// with `[a, b]` lists.
    pub fn read_flat(file: &str, text: &str) -> ConfigValues {
        let mut settings = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.starts_with([' ', '\t', '#', '[']) {
                continue;
            }
            let Some((key, value)) = line.split_once(['=', ':']) else {
                continue;
            };
            let key = key.trim().trim_matches('"');
            let value = without_comment(value.trim());
            let items: Vec<&str> = match value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
                Some(list) => list.split(',').collect(),
                None => vec![value],
            };
            for item in items {
                let item = item.trim().trim_matches(['"', '\'']);
                if !item.is_empty() {
                    settings.push(Setting {
                        path: key.to_owned(),
                        value: item.to_owned(),
                        line: n as u32 + 1,
                        calls: 0,
                    });
                }
            }
        }
        ConfigValues {
            file: file.to_owned(),
            settings,
        }
    }

    /// The first value at `path` (the outermost wins), with `file:line`.
    pub fn get(&self, path: &str) -> Option<(&str, String)> {
        self.all(path).into_iter().next()
    }

    /// The keys and values of the object at `path` (`kit.alias` →
    /// `[("$components", "src/components", "svelte.config.js:9")]`), one
    /// level down, outermost first.
    pub fn entries(&self, path: &str) -> Vec<(&str, &str, String)> {
        let prefix = format!("{path}.");
        self.settings
            .iter()
            .filter_map(|s| {
                let key = s.path.strip_prefix(&prefix)?;
                (!key.contains('.') && s.calls == 0)
                    .then(|| (key, s.value.as_str(), format!("{}:{}", self.file, s.line)))
            })
            .collect()
    }

    /// Every value at `path` (a list's items), outermost first, with `file:line`.
    pub fn all(&self, path: &str) -> Vec<(&str, String)> {
        let mut found: Vec<&Setting> = self.settings.iter().filter(|s| s.path == path).collect();
        let outermost = found.iter().map(|s| s.calls).min().unwrap_or(0);
        found.retain(|s| s.calls == outermost);
        found
            .into_iter()
            .map(|s| (s.value.as_str(), format!("{}:{}", self.file, s.line)))
            .collect()
    }
}

struct Reader<'t, 's> {
    text: &'t str,
    lines: &'t LineIndex,
    path: Vec<String>,
    calls: usize,
    settings: &'s mut Vec<Setting>,
}

impl Reader<'_, '_> {
    fn record(&mut self, value: &str, offset: u32) {
        let (line, _) = self.lines.line_column(self.text, offset as usize);
        self.settings.push(Setting {
            path: self.path.join("."),
            value: value.to_owned(),
            line,
            calls: self.calls,
        });
    }

    fn literal(&mut self, expression: &Expression<'_>) {
        match expression.get_inner_expression() {
            Expression::StringLiteral(s) => self.record(s.value.as_str(), s.span.start),
            Expression::TemplateLiteral(t) if t.expressions.is_empty() => {
                if let Some(quasi) = t.quasis.first() {
                    let value = quasi
                        .value
                        .cooked
                        .as_ref()
                        .map_or(quasi.value.raw.as_str(), |c| c.as_str());
                    self.record(value, t.span.start);
                }
            }
            Expression::ArrayExpression(array) => {
                for element in &array.elements {
                    if let ArrayExpressionElement::StringLiteral(s) = element {
                        self.record(s.value.as_str(), s.span.start);
                    }
                }
            }
            _ => {}
        }
    }
}

impl<'a> Visit<'a> for Reader<'_, '_> {
    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let saved = std::mem::take(&mut self.path);
        self.calls += 1;
        walk::walk_call_expression(self, it);
        self.calls -= 1;
        self.path = saved;
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        let Some(key) = it.key.static_name() else {
            walk::walk_object_property(self, it);
            return;
        };
        self.path.push(key.to_string());
        self.literal(&it.value);
        walk::walk_object_property(self, it);
        self.path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docusaurus_settings_with_lines() {
        let text = r#"// @ts-check
const config = {
  url: 'https://example.org',
  baseUrl: '/docs/',
  staticDirectories: ['static', 'public'],
  markdown: { format: 'detect' },
  plugins: [someplugin({ baseUrl: '/other/' })],
};
export default config;
"#;
        let values = ConfigValues::read_script("website/docusaurus.config.js", text);
        assert_eq!(
            values.get("baseUrl"),
            Some(("/docs/", "website/docusaurus.config.js:4".to_owned()))
        );
        let dirs: Vec<&str> = values
            .all("staticDirectories")
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        assert_eq!(dirs, ["static", "public"]);
        assert_eq!(values.get("markdown.format").unwrap().0, "detect");
    }

    #[test]
    fn object_entries() {
        let text = "const config = { kit: { files: { assets: 'public' }, alias: { $components: 'src/components', 'x/y': 'src/y', deep: { no: 'z' } } } };\nexport default config;\n";
        let values = ConfigValues::read_script("svelte.config.js", text);
        assert_eq!(values.get("kit.files.assets").unwrap().0, "public");
        let entries: Vec<(&str, &str)> = values
            .entries("kit.alias")
            .into_iter()
            .map(|(k, v, _)| (k, v))
            .collect();
        assert_eq!(
            entries,
            [("$components", "src/components"), ("x/y", "src/y")]
        );
    }

    #[test]
    fn define_config_and_flat_files() {
        let values = ConfigValues::read_script(
            "docs/.vitepress/config.mts",
            "import { defineConfig } from 'vitepress'\nexport default defineConfig({\n  srcDir: 'src',\n  base: `/guide/`,\n})\n",
        );
        assert_eq!(values.get("srcDir").unwrap().0, "src");
        assert_eq!(values.get("base").unwrap().0, "/guide/");
        let hugo = ConfigValues::read_flat(
            "hugo.toml",
            "baseURL = 'https://example.org/blog/'\nstaticDir = ['static', 'assets']\n[params]\n  logo = 'x.png'\n",
        );
        assert_eq!(hugo.get("baseURL").unwrap().0, "https://example.org/blog/");
        assert_eq!(hugo.all("staticDir").len(), 2);
        let jekyll = ConfigValues::read_flat(
            "_config.yml",
            "title: Blog # the title\nbaseurl: \"\" # the subpath of your site, e.g. /blog\nurl: \"https://example.org\" # the host\nlogo: /assets/logo.png # shown at the top\n",
        );
        assert!(jekyll.get("baseurl").is_none());
        assert_eq!(jekyll.get("url").unwrap().0, "https://example.org");
        assert_eq!(jekyll.get("logo").unwrap().0, "/assets/logo.png");
        assert!(hugo.get("logo").is_none());
    }
}
