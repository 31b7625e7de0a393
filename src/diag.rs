//! Diagnostics: errors and warnings as values, each with a source location, a code, a
//! message and a hint. Nothing in accord panics on input; it reports one of these.

use std::fmt;
use std::path::Path;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A position in a source file; `line` and `col` are 1-based, `col` counts characters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub path: String,
    pub line: u32,
    pub col: u32,
}

impl Location {
    pub fn new(path: &str, line: u32, col: u32) -> Self {
        Location { path: path.to_string(), line, col }
    }

    /// A location for problems that concern a whole file or folder.
    pub fn file(path: &Path) -> Self {
        Location { path: display_path(path), line: 0, col: 0 }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 { write!(f, "{}", self.path) } else { write!(f, "{}:{}:{}", self.path, self.line, self.col) }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    #[serde(flatten)]
    pub location: Location,
    pub message: String,
    pub hint: String,
}

impl Diagnostic {
    pub fn error(code: &'static str, location: Location, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, code, location, message: message.into(), hint: hint.into() }
    }

    pub fn warning(
        code: &'static str,
        location: Location,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Diagnostic { severity: Severity::Warning, code, location, message: message.into(), hint: hint.into() }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {}[{}]: {}", self.location, level, self.code, self.message)?;
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

/// Paths in diagnostics and in the model use `/` whatever the platform, so outputs are
/// the same bytes everywhere.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Sorts diagnostics by location then code so reports do not depend on thread scheduling.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.location.cmp(&b.location).then(a.code.cmp(b.code)).then(a.message.cmp(&b.message)));
}

/// How many diagnostics of one code a file reports before the rest are summed up: a
/// converted file with one recurring fault (or hostile input) would otherwise print
/// hundreds of thousands of lines.
pub const MAX_PER_CODE: usize = 100;

/// Keeps the first [`MAX_PER_CODE`] diagnostics of each code in each file, in order, and adds
/// one `diagnostics-capped` warning per file and code that had more, at the first one left out.
pub fn cap_per_code(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    type Seen = std::collections::BTreeMap<(String, &'static str), (usize, Option<Location>)>;
    let mut seen = Seen::new();
    let mut kept = Vec::with_capacity(diagnostics.len().min(4 * MAX_PER_CODE));
    for d in diagnostics {
        let (count, first_left_out) = seen.entry((d.location.path.clone(), d.code)).or_default();
        *count += 1;
        if *count <= MAX_PER_CODE {
            kept.push(d);
        } else if first_left_out.is_none() {
            *first_left_out = Some(d.location);
        }
    }
    for ((_, code), (count, first)) in seen {
        if let Some(location) = first {
            kept.push(Diagnostic::warning(
                "diagnostics-capped",
                location,
                format!(
                    "{} more `{code}` diagnostics in this file are not shown ({count} in all)",
                    count - MAX_PER_CODE
                ),
                "mend the ones shown first: the rest are most likely the same fault",
            ));
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_codes_are_capped_and_counted() {
        let at = |line| Location::new("fr.md", line, 1);
        let mut many: Vec<Diagnostic> =
            (1..=250).map(|line| Diagnostic::error("broken-link", at(line), "link", "")).collect();
        many.push(Diagnostic::error("unclosed-markup", at(300), "open", ""));
        let kept = cap_per_code(many);
        assert_eq!(kept.iter().filter(|d| d.code == "broken-link").count(), MAX_PER_CODE);
        assert_eq!(kept.iter().filter(|d| d.code == "unclosed-markup").count(), 1);
        let capped: Vec<&Diagnostic> = kept.iter().filter(|d| d.code == "diagnostics-capped").collect();
        assert_eq!(capped.len(), 1);
        assert_eq!(capped[0].location, at(101));
        assert!(capped[0].message.contains("150 more `broken-link`") && capped[0].message.contains("250 in all"));
    }
}
