//! What characters a text may hold. Control characters have no place in a name, a number or an
//! id; PostgreSQL cannot store NUL at all (SQLite would, and the two backends must agree). Free
//! text that may run over several lines keeps tab, line feed and carriage return.

/// The first character of `s` that no field may hold: the C0 controls (U+0000–U+001F), DEL and
/// the C1 controls (U+0080–U+009F) — except tab, line feed and carriage return in `multiline`
/// text.
pub fn forbidden_char(s: &str, multiline: bool) -> Option<char> {
    s.chars().find(|&c| {
        let control = c.is_control();
        control && !(multiline && matches!(c, '\t' | '\n' | '\r'))
    })
}

/// Why a text was refused, naming the character by its code point (never echoing the text).
pub fn refusal(c: char, multiline: bool) -> String {
    let allowed = if multiline {
        "; only tab and line breaks are allowed"
    } else {
        ""
    };
    format!("contains the control character U+{:04X}{allowed}", c as u32)
}

/// `refusal`, in Chinese.
pub fn refusal_zh(c: char, multiline: bool) -> String {
    let allowed = if multiline {
        "；只允许制表符和换行"
    } else {
        ""
    };
    format!("含有控制字符 U+{:04X}{allowed}", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_refused_and_line_breaks_only_in_free_text() {
        assert_eq!(forbidden_char("平顺县", false), None);
        assert_eq!(forbidden_char("adm\u{0}in", false), Some('\u{0}'));
        assert_eq!(forbidden_char("adm\u{0}in", true), Some('\u{0}'));
        assert_eq!(forbidden_char("a\nb", false), Some('\n'));
        assert_eq!(forbidden_char("a\nb\tc\r\n", true), None);
        assert_eq!(forbidden_char("a\u{7f}", true), Some('\u{7f}'));
        assert_eq!(forbidden_char("a\u{85}", true), Some('\u{85}'));
        assert_eq!(forbidden_char("a\u{1b}[31m", true), Some('\u{1b}'));
        assert_eq!(refusal('\u{0}', false), "contains the control character U+0000");
    }
}
