//! Okta's filter and search expressions: the SCIM-style language of `GET /api/v1/users?search=`
//! and `?filter=`, and of `GET /api/v1/logs?filter=` ([SPEC] listUsers, listLogEvents; CORE
//! "Filter" and "Operators").
//!
//! `attr op "value"` with `eq ne sw ew co gt ge lt le`, `attr pr`, joined by `and` / `or`
//! (`and` binds tighter), `not (…)`, and parentheses. Attribute names are case-sensitive and
//! operators are not, as the spec says for user search. Whether string values compare
//! case-insensitively is the caller's choice (users `search`: yes; users `filter`: no).
//! A bracketed value filter (`emails[type eq "work"]`) is not supported, as in the System Log.

use std::iter::Peekable;
use std::str::Chars;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Sw,
    Ew,
    Co,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    fn from_word(w: &str) -> Option<Op> {
        Some(match w.to_ascii_lowercase().as_str() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "sw" => Op::Sw,
            "ew" => Op::Ew,
            "co" => Op::Co,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            _ => return None,
        })
    }
}

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Cmp { attr: String, op: Op, value: String },
    Present(String),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Open,
    Close,
    /// Unquoted: an attribute, an operator, `and`/`or`/`not`, or a literal (`true`, `42`).
    Word(String),
    /// A double-quoted string, unescaped.
    Str(String),
}

fn read_string(chars: &mut Peekable<Chars<'_>>) -> Result<String, String> {
    let mut s = String::new();
    loop {
        match chars.next() {
            None => return Err("unterminated string".into()),
            Some('"') => return Ok(s),
            Some('\\') => match chars.next() {
                Some(c) => s.push(c),
                None => return Err("unterminated string".into()),
            },
            Some(c) => s.push(c),
        }
    }
}

fn tokenize(input: &str) -> Result<Vec<Token>, String> {
    let mut out = vec![];
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Token::Open);
            }
            ')' => {
                chars.next();
                out.push(Token::Close);
            }
            '"' => {
                chars.next();
                out.push(Token::Str(read_string(&mut chars)?));
            }
            '[' | ']' => return Err("value filters ([ ]) are not supported".into()),
            _ => {
                let mut w = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '"' | '[' | ']') {
                        break;
                    }
                    w.push(c);
                    chars.next();
                }
                out.push(Token::Word(w));
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek_keyword(&self, kw: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some(Token::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn or_expr(&mut self) -> Result<Expr, String> {
        let mut left = self.and_expr()?;
        while self.peek_keyword("or") {
            self.pos += 1;
            let right = self.and_expr()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while self.peek_keyword("and") {
            self.pos += 1;
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.peek_keyword("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or_expr()?;
                match self.next() {
                    Some(Token::Close) => Ok(inner),
                    _ => Err("missing )".into()),
                }
            }
            Some(Token::Word(attr)) => {
                let op = match self.next() {
                    Some(Token::Word(w)) if w.eq_ignore_ascii_case("pr") => {
                        return Ok(Expr::Present(attr));
                    }
                    Some(Token::Word(w)) => {
                        Op::from_word(&w).ok_or_else(|| format!("unknown operator {w}"))?
                    }
                    _ => return Err(format!("an operator must follow {attr}")),
                };
                let value = match self.next() {
                    Some(Token::Str(s)) => s,
                    Some(Token::Word(w)) => w,
                    _ => return Err(format!("a value must follow {attr}")),
                };
                Ok(Expr::Cmp { attr, op, value })
            }
            _ => Err("an attribute was expected".into()),
        }
    }
}

/// Parses an expression; the error says what is wrong with it.
pub fn parse(input: &str) -> Result<Expr, String> {
    let tokens = tokenize(input)?;
    if tokens.is_empty() {
        return Err("the expression is empty".into());
    }
    let mut p = Parser { tokens, pos: 0 };
    let e = p.or_expr()?;
    if p.pos < p.tokens.len() {
        return Err("unexpected text after the expression".into());
    }
    Ok(e)
}

fn compare(actual: &str, op: Op, wanted: &str) -> bool {
    use std::cmp::Ordering;
    let ordering = || match (actual.parse::<f64>(), wanted.parse::<f64>()) {
        (Ok(a), Ok(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        // ISO-8601 timestamps in one format order as strings.
        _ => actual.cmp(wanted),
    };
    match op {
        Op::Eq => actual == wanted,
        Op::Ne => actual != wanted,
        Op::Sw => actual.starts_with(wanted),
        Op::Ew => actual.ends_with(wanted),
        Op::Co => actual.contains(wanted),
        Op::Gt => ordering() == Ordering::Greater,
        Op::Ge => ordering() != Ordering::Less,
        Op::Lt => ordering() == Ordering::Less,
        Op::Le => ordering() != Ordering::Greater,
    }
}

impl Expr {
    /// Whether a record matches. `values(attr)` gives the attribute's values (several for
    /// arrays such as a log event's `target.id`; none when absent).
    pub fn matches(&self, values: &dyn Fn(&str) -> Vec<String>, case_insensitive: bool) -> bool {
        let fold = |s: &str| {
            if case_insensitive {
                s.to_lowercase()
            } else {
                s.to_string()
            }
        };
        match self {
            Expr::Cmp { attr, op, value } => {
                let wanted = fold(value);
                let actual = values(attr);
                if *op == Op::Ne {
                    return actual.iter().all(|a| fold(a) != wanted);
                }
                actual.iter().any(|a| compare(&fold(a), *op, &wanted))
            }
            Expr::Present(attr) => values(attr).iter().any(|v| !v.is_empty()),
            Expr::And(a, b) => {
                a.matches(values, case_insensitive) && b.matches(values, case_insensitive)
            }
            Expr::Or(a, b) => {
                a.matches(values, case_insensitive) || b.matches(values, case_insensitive)
            }
            Expr::Not(a) => !a.matches(values, case_insensitive),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(attr: &str) -> Vec<String> {
        match attr {
            "profile.login" => vec!["Nora.Nofactors@example.com".into()],
            "status" => vec!["ACTIVE".into()],
            "target.id" => vec!["00u1".into(), "uft1".into()],
            "published" => vec!["2024-05-01T10:00:00.000Z".into()],
            _ => vec![],
        }
    }

    fn check(e: &str, ci: bool) -> bool {
        parse(e).unwrap().matches(&record, ci)
    }

    #[test]
    fn comparisons_and_logic() {
        assert!(check(
            r#"profile.login eq "nora.nofactors@example.com""#,
            true
        ));
        assert!(!check(
            r#"profile.login eq "nora.nofactors@example.com""#,
            false
        ));
        assert!(check(
            r#"profile.login sw "nora" and status eq "ACTIVE""#,
            true
        ));
        assert!(check(
            r#"status eq "STAGED" or profile.login co "factors""#,
            true
        ));
        assert!(check(r#"target.id eq "uft1""#, false));
        assert!(check(
            r#"(status eq "x" or status eq "ACTIVE") and not (target.id eq "zz")"#,
            false
        ));
        assert!(check(r#"published gt "2024-04-30T00:00:00.000Z""#, false));
        assert!(check("profile.login pr", false));
        assert!(!check("profile.mobilePhone pr", false));
        assert!(
            check(r#"status EQ "ACTIVE""#, false),
            "operators ignore case"
        );
    }

    #[test]
    fn and_binds_tighter_than_or() {
        // true or (false and false) = true
        assert!(check(
            r#"status eq "ACTIVE" or status eq "x" and status eq "y""#,
            false
        ));
    }

    #[test]
    fn malformed_expressions_are_refused() {
        for bad in [
            "",
            "status",
            r#"status eq"#,
            r#"status xx "A""#,
            r#"(status eq "A""#,
            r#"status eq "A" extra"#,
            r#"emails[type eq "work"]"#,
            r#"status eq "unterminated"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
