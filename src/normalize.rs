//! normalize: turns a document's text as published into the text the tagger reads.
//!
//! Transcripts arrive hard-wrapped every 15–20 characters, with column breaks that leave a
//! blank line inside a sentence, headline blocks of short lines, and full-width indents. This
//! stage joins wrapped lines, keeps real breaks as a single `\n` (remembering whether each is a
//! paragraph break or a headline line), drops indents, and folds full-width digits and letters
//! to ASCII (the automaton folds nothing). It returns the new text with a map from every byte
//! back to the byte it came from, so that mentions can point into the original text.

/// How a break in the normalized text came about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakKind {
    /// A line of a headline block ends: a sentence ends, the paragraph goes on.
    Line,
    /// A paragraph ends.
    Paragraph,
}

/// A `\n` in the normalized text and what it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Break {
    /// Byte offset of the `\n` in the normalized text.
    pub at: usize,
    /// Paragraph break or headline line.
    pub kind: BreakKind,
}

/// Options for normalization.
#[derive(Clone, Debug)]
pub struct NormalizeConfig {
    /// Join hard-wrapped lines (on by default; off treats every line as a paragraph).
    pub join_lines: bool,
}

impl Default for NormalizeConfig {
    fn default() -> Self {
        NormalizeConfig { join_lines: true }
    }
}

/// A run of normalized bytes and where it came from: bytes copied as they were, or one folded
/// character (or break) that stands for `orig_len` original bytes.
#[derive(Clone, Copy, Debug)]
struct Seg {
    norm: usize,
    orig: usize,
    /// 0 for a copied run; else the original length of the one folded character.
    folded_len: usize,
}

/// The text the tagger reads, with the way back to the original.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    /// Joined, indent-free, width-folded text; breaks are single `\n`s.
    pub text: String,
    /// Every `\n` of `text`, in order.
    pub breaks: Vec<Break>,
    segs: Vec<Seg>,
    /// Was the document hard-wrapped (lines of one usual width)?
    pub wrapped: bool,
}

impl Normalized {
    fn seg_at(&self, n: usize) -> &Seg {
        let i = self.segs.partition_point(|s| s.norm <= n);
        &self.segs[i.saturating_sub(1)]
    }

    /// Original byte offset of the byte at normalized offset `n` (a start).
    pub fn origin(&self, n: usize) -> usize {
        let s = self.seg_at(n);
        if s.folded_len == 0 {
            s.orig + (n - s.norm)
        } else {
            s.orig
        }
    }

    /// Original byte offset just past the byte before normalized offset `end` (an end, exclusive).
    pub fn origin_end(&self, end: usize) -> usize {
        if end == 0 {
            return self.origin(0);
        }
        let s = self.seg_at(end - 1);
        if s.folded_len == 0 {
            s.orig + (end - s.norm)
        } else {
            s.orig + s.folded_len
        }
    }

    fn push_copy(&mut self, orig: &str, at: usize) {
        if orig.is_empty() {
            return;
        }
        let contiguous = self.segs.last().is_some_and(|s| {
            s.folded_len == 0 && s.orig + (self.text.len() - s.norm) == at
        });
        if !contiguous {
            self.segs.push(Seg { norm: self.text.len(), orig: at, folded_len: 0 });
        }
        self.text.push_str(orig);
    }

    fn push_folded(&mut self, ch: char, orig_at: usize, orig_len: usize) {
        self.segs.push(Seg { norm: self.text.len(), orig: orig_at, folded_len: orig_len });
        self.text.push(ch);
    }
}

/// Display width in columns: CJK and full-width characters take two.
fn width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 }).sum()
}

fn is_indent(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{3000}' | '\u{a0}' | '\u{feff}' | '\r')
}

/// Punctuation after which a line really ends: a sentence, a clause-final quote, a label.
fn ends_final(line: &str) -> bool {
    line.chars().last().is_some_and(|c| {
        matches!(c, '。' | '！' | '？' | '!' | '?' | '.' | '；' | ';' | '：' | ':' | '…' | '”' | '’' | '」' | '』' | '）' | ')' | '》' | '"')
    })
}

/// Full-width ASCII digits, letters and % folded to ASCII; the middle-dot variants in
/// transliterated names folded to `·`.
fn fold(c: char) -> Option<char> {
    match c {
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '％' | '．' => char::from_u32(c as u32 - 0xFEE0),
        '・' | '•' | '‧' | '･' | '∙' => Some('·'),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug)]
struct Line {
    start: usize,
    end: usize,
    width: usize,
}

/// The lines of `text`, each with its offset and without its end: `\n`, `\r\n` (and the
/// `\r\r\n` some Windows tools write; a line's trailing `\r`s are trimmed as blanks), and a
/// lone `\r`, the line end of classic Mac OS files, which read as one paragraph before.
fn raw_lines(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    // Where the current run of `\r`s ends, and whether a `\n` follows it (measured once a
    // run: a long run was quadratic).
    let mut run = (0, false);
    for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if bytes[at] == b'\r' {
            if at >= run.0 {
                let end = at + bytes[at..].iter().take_while(|&&b| b == b'\r').count();
                run = (end, bytes.get(end) == Some(&b'\n'));
            }
            if run.1 {
                continue;
            }
        }
        lines.push((start, &text[start..at]));
        start = at + 1;
    }
    lines.push((start, &text[start..]));
    lines
}

/// Normalizes one document's text.
pub fn normalize(text: &str, cfg: &NormalizeConfig) -> Normalized {
    // Lines with indents and trailing blanks cut off; blank lines are None.
    let mut lines: Vec<Option<Line>> = Vec::new();
    for (pos, raw) in raw_lines(text) {
        let lead = raw.len() - raw.trim_start_matches(is_indent).len();
        let content = raw.trim_start_matches(is_indent).trim_end_matches(|c: char| is_indent(c) || c.is_whitespace());
        lines.push((!content.is_empty()).then(|| Line {
            start: pos + lead,
            end: pos + lead + content.len(),
            width: width(content),
        }));
    }
    let (wrapped, usual) = if cfg.join_lines { usual_width(&lines) } else { (false, 0) };
    let full = |l: &Line| wrapped && l.width * 4 >= usual * 3;

    let mut out = Normalized { wrapped, ..Normalized::default() };
    let nonblank: Vec<(usize, Line)> = lines.iter().enumerate().filter_map(|(i, l)| l.map(|l| (i, l))).collect();
    // A headline block: adjacent short lines, none ending in punctuation.
    let mut headline = vec![false; nonblank.len()];
    if wrapped {
        let mut i = 0;
        while i < nonblank.len() {
            let mut j = i + 1;
            while j < nonblank.len() && nonblank[j].0 == nonblank[j - 1].0 + 1 {
                j += 1;
            }
            let block = &nonblank[i..j];
            let is_headline = block.len() > 1
                && block.iter().all(|(_, l)| !full(l) && !ends_final(&text[l.start..l.end]));
            for h in &mut headline[i..j] {
                *h = is_headline;
            }
            i = j;
        }
    }
    for (k, &(idx, line)) in nonblank.iter().enumerate() {
        let content = &text[line.start..line.end];
        let mut run_start = line.start;
        for (off, c) in content.char_indices() {
            if let Some(f) = fold(c) {
                out.push_copy(&text[run_start..line.start + off], run_start);
                out.push_folded(f, line.start + off, c.len_utf8());
                run_start = line.start + off + c.len_utf8();
            }
        }
        out.push_copy(&text[run_start..line.end], run_start);
        let Some(&(next_idx, next)) = nonblank.get(k + 1) else { break };
        let adjacent = next_idx == idx + 1;
        // A speaker label (王毅：) after a finished sentence opens a paragraph.
        let next_speaks = ends_final(content) && crate::segment::speaker_label_len(&text[next.start..next.end]).is_some();
        let join = full(&line) && (adjacent || !ends_final(content)) && !(headline[k] && headline[k + 1]) && !next_speaks;
        if join {
            let last = content.chars().last().unwrap_or(' ');
            let first = text[next.start..].chars().next().unwrap_or(' ');
            if last.is_ascii_graphic() && first.is_ascii_graphic() && last != '-' {
                out.push_folded(' ', line.end, next.start - line.end);
            }
        } else {
            let kind = if adjacent && headline[k] && headline[k + 1] { BreakKind::Line } else { BreakKind::Paragraph };
            out.breaks.push(Break { at: out.text.len(), kind });
            out.push_folded('\n', line.end, next.start - line.end);
        }
    }
    if out.segs.is_empty() {
        out.segs.push(Seg { norm: 0, orig: 0, folded_len: 0 });
    }
    out
}

/// Is the text hard-wrapped, and at what width? Hard-wrapped text has most lines within a few
/// columns of one width and almost none wider.
fn usual_width(lines: &[Option<Line>]) -> (bool, usize) {
    let widths: Vec<usize> = lines.iter().flatten().map(|l| l.width).collect();
    if widths.len() < 6 {
        return (false, 0);
    }
    let mut counts = std::collections::BTreeMap::new();
    for &w in &widths {
        *counts.entry(w).or_insert(0usize) += 1;
    }
    // The width with most lines within 6 columns below it: the right edge of the column.
    let best = counts
        .keys()
        .map(|&w| (widths.iter().filter(|&&x| x <= w && x + 6 >= w).count(), w))
        .max()
        .map(|(_, w)| w)
        .unwrap_or(0);
    let near = widths.iter().filter(|&&x| x <= best + 2 && x + 6 >= best).count();
    let over = widths.iter().filter(|&&x| x > best + 2).count();
    let wrapped = best <= 200 && near * 2 >= widths.len() && over * 10 <= widths.len();
    (wrapped, best)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRAPPED: &str = "\n3月7日，十四届全国人大二次会议\n在梅地亚中心举行记者会。中共中央\n政治局委员、外交部长王毅就中国外交\n政策和对外关系回答中外记者提问。\n\n谈中国外交\n坚持政治解决热点冲突\n坚决反对强权霸凌行径\n\n王毅：去年，双方贸易额达到创纪录的\n2400亿美元，提前完成的目标。去年，双方贸易额达\n\n到创纪录的2400亿美元，提前完成\n2000亿美元的目标。俄罗斯天然气进\n";

    #[test]
    fn joins_wrapped_lines_and_maps_back() {
        let n = normalize(WRAPPED, &NormalizeConfig::default());
        assert!(n.wrapped);
        assert!(n.text.contains("中共中央政治局委员"), "{}", n.text);
        let at = n.text.find("中共中央政治局").unwrap();
        let end = at + "中共中央政治局".len();
        assert_eq!(&WRAPPED[n.origin(at)..n.origin_end(end)], "中共中央\n政治局");
    }

    #[test]
    fn column_break_joins_but_paragraph_break_does_not() {
        let n = normalize(WRAPPED, &NormalizeConfig::default());
        assert!(n.text.contains("双方贸易额达到创纪录的2400亿美元"), "{}", n.text);
        assert!(n.text.contains("提问。\n谈中国外交\n坚持政治解决热点冲突\n坚决反对强权霸凌行径\n王毅"), "{}", n.text);
        let kinds: Vec<BreakKind> = n.breaks.iter().map(|b| b.kind).collect();
        assert_eq!(kinds, [BreakKind::Paragraph, BreakKind::Line, BreakKind::Line, BreakKind::Paragraph]);
    }

    #[test]
    fn paragraph_per_line_text_is_not_joined() {
        let t = "德国总理默克尔会见杨洁篪\n\n　　当地时间2019年2月16日，德国总理默克尔在慕尼黑会见杨洁篪。\n　　默克尔表示，德中是全方位战略伙伴。\n　　杨洁篪表示，当前，世界形势纷繁复杂，中德作为亚欧大陆具有重要影响力的两个大国。\n　　双方还就共同关心的问题交换了意见。\n";
        let n = normalize(t, &NormalizeConfig::default());
        assert!(!n.wrapped);
        assert!(n.text.starts_with("德国总理默克尔会见杨洁篪\n当地时间"), "{}", n.text);
        let at = n.text.find("当地").unwrap();
        assert_eq!(n.origin(at), t.find("当地").unwrap());
    }

    #[test]
    fn lines_end_at_lf_crlf_and_a_lone_cr() {
        fn ends(t: &str) -> Vec<(usize, &str)> {
            raw_lines(t).into_iter().map(|(at, l)| (at, l.trim_end_matches('\r'))).collect()
        }
        assert_eq!(ends("中国\n美国"), [(0, "中国"), (7, "美国")]);
        assert_eq!(ends("中国\r\n美国"), [(0, "中国"), (8, "美国")]);
        assert_eq!(ends("中国\r\r\n美国"), [(0, "中国"), (9, "美国")]);
        assert_eq!(ends("中国\r美国\r\r法国\r"), [(0, "中国"), (7, "美国"), (14, ""), (15, "法国"), (22, "")]);
        // Classic Mac OS line ends give the paragraphs of the same text with `\n`.
        let mac = "王毅：\r中方愿同俄方一道，推动\r中美关系稳定发展。\r\r美方表示欢迎。";
        let n = normalize(mac, &NormalizeConfig::default());
        assert_eq!(n.text, normalize(&mac.replace('\r', "\n"), &NormalizeConfig::default()).text);
    }

    #[test]
    fn folds_full_width_digits() {
        let t = "增长５．２％。";
        let n = normalize(t, &NormalizeConfig::default());
        assert_eq!(n.text, "增长5.2%。");
        let at = n.text.find('5').unwrap();
        let end = n.text.find('。').unwrap();
        assert_eq!(&t[n.origin(at)..n.origin_end(end)], "５．２％");
    }
}
