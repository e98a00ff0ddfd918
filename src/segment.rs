//! segment: cuts normalized text into sentences, paragraphs and speaker turns.
//!
//! A sentence ends at 。！？ (and their ASCII forms; a `.` only before a blank and not after
//! an abbreviation such as `Mr` or `U.S`), at a headline line and at a paragraph break; the
//! closing quotes and brackets after the mark stay with it. A turn starts at a paragraph that
//! opens with a speaker label (`王毅：`, `法新社记者：`, `问：`) and lasts until the next one.
//! Every later stage finds a mention's sentence, paragraph and turn here.

use crate::normalize::{BreakKind, Normalized};

/// A byte range of the normalized text, end exclusive.
pub type Span = (usize, usize);

/// A speaker turn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Turn {
    /// Where the turn starts in the normalized text.
    pub start: usize,
    /// The speaker label without its colon (`王毅`, `法新社记者`), if the turn has one.
    pub label: Option<Span>,
}

/// Options for segmentation.
#[derive(Clone, Debug, Default)]
pub struct SegmentConfig {}

/// The sentences, paragraphs and turns of one document.
#[derive(Clone, Debug, Default)]
pub struct Segments {
    /// Sentences in order; the index is the contract's `sentence`.
    pub sentences: Vec<Span>,
    /// Paragraph index of each sentence.
    pub sentence_paragraph: Vec<u32>,
    /// Turn index of each sentence.
    pub sentence_turn: Vec<u32>,
    /// Speaker turns; turn 0 is what comes before the first label (it has none).
    pub turns: Vec<Turn>,
}

impl Segments {
    /// The index of the sentence that holds normalized offset `at` (the last one starting at
    /// or before it).
    pub fn sentence_of(&self, at: usize) -> usize {
        self.sentences.partition_point(|s| s.0 <= at).saturating_sub(1)
    }
}

/// Builds [`Segments`]; cheap, holds no state beyond its config.
#[derive(Clone, Debug, Default)]
pub struct Segmenter {
    #[allow(dead_code)]
    cfg: SegmentConfig,
}

const CLOSERS: &[char] = &['”', '’', '"', '\'', '」', '』', '）', ')', '》', '】', ' '];

const ABBREVIATIONS: &[&str] = &["Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Jr", "Sr", "No", "vs", "etc", "Gen", "Lt", "Col", "Sen", "Rep", "Gov", "Amb", "H.E", "Jan", "Feb", "Aug", "Sept", "Oct", "Nov", "Dec"];

/// Does a `.` at byte `i` of `line` end an English sentence?
fn ascii_period_ends(line: &str, i: usize) -> bool {
    let after = &line[i + 1..];
    if !(after.is_empty() || after.starts_with([' ', '"', '\'', '”', '’', ')'])) {
        return false;
    }
    let word_start = line[..i]
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace() || c == '(')
        .map_or(0, |(p, c)| p + c.len_utf8());
    let word = &line[word_start..i];
    if ABBREVIATIONS.contains(&word) {
        return false;
    }
    // U.S. / e.g. / a single capital initial (Lee H. Loong).
    let letters: Vec<char> = word.chars().filter(|c| *c != '.').collect();
    !(word.contains('.') && letters.len() <= 3 || word.len() == 1 && word.chars().all(|c| c.is_ascii_uppercase()))
}

/// The length of a speaker label (`王毅`, `法新社记者`, `问`) at the start of `line`, without
/// its colon, if the line opens with one.
pub fn speaker_label_len(line: &str) -> Option<usize> {
    let (colon, mark) = line.char_indices().take(24).find(|(_, c)| *c == '：' || *c == ':')?;
    let label = line[..colon].trim();
    if label.is_empty() || label.chars().any(|c| "，。、；？！,;?!“”\"（）()\n".contains(c)) {
        return None;
    }
    let chars = label.chars().count();
    let cjk = label.chars().all(|c| (c as u32) >= 0x2E80 || c == '·');
    let ok = matches!(label, "问" | "答" | "主持人" | "Q" | "A" | "Question" | "Answer")
        || label.ends_with("记者")
        || label.ends_with("发言人")
        || (cjk && (2..=4).contains(&chars) && !label.starts_with(['总', '第', '一', '二', '三', '其', '另', '对', '但', '这']))
        || (cjk && label.contains('·') && chars <= 12)
        || (!cjk && chars <= 40 && label.split_whitespace().count() <= 5
            && label.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && line[colon + mark.len_utf8()..].starts_with(' '));
    ok.then(|| line[..colon].trim_end().len())
}

/// Speaker label at the start of the line at `start`: its span, without the colon.
fn speaker_label(text: &str, start: usize) -> Option<Span> {
    let end = text[start..].find('\n').map_or(text.len(), |p| start + p);
    speaker_label_len(&text[start..end]).map(|n| (start, start + n))
}

impl Segmenter {
    /// A segmenter with these options.
    pub fn new(cfg: &SegmentConfig) -> Segmenter {
        Segmenter { cfg: cfg.clone() }
    }

    /// Cuts one normalized document.
    pub fn segment(&self, norm: &Normalized) -> Segments {
        let text = norm.text.as_str();
        let mut seg = Segments { turns: vec![Turn { start: 0, label: None }], ..Segments::default() };
        let mut paragraph = 0u32;
        let mut line_start = 0;
        let mut breaks = norm.breaks.iter().peekable();
        let mut para_start = true;
        loop {
            let (line_end, kind) = match breaks.next() {
                Some(b) => (b.at, Some(b.kind)),
                None => (text.len(), None),
            };
            let line = &text[line_start..line_end];
            if para_start {
                if let Some(label) = speaker_label(text, line_start) {
                    seg.turns.push(Turn { start: line_start, label: Some(label) });
                }
            }
            let mut sent_start = 0;
            let mut iter = line.char_indices().peekable();
            while let Some((i, c)) = iter.next() {
                let ends = match c {
                    '。' | '！' | '？' | '!' | '?' => true,
                    '.' => ascii_period_ends(line, i),
                    _ => false,
                };
                if !ends {
                    continue;
                }
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = iter.peek() {
                    if CLOSERS.contains(&d) || matches!(d, '。' | '！' | '？' | '!' | '?') {
                        end = j + d.len_utf8();
                        iter.next();
                    } else {
                        break;
                    }
                }
                self.push(&mut seg, line, line_start, sent_start, end, paragraph);
                sent_start = end;
            }
            self.push(&mut seg, line, line_start, sent_start, line.len(), paragraph);
            para_start = kind != Some(BreakKind::Line);
            if para_start {
                paragraph += 1;
            }
            match kind {
                Some(_) => line_start = line_end + 1,
                None => break,
            }
        }
        seg
    }

    fn push(&self, seg: &mut Segments, line: &str, base: usize, from: usize, to: usize, paragraph: u32) {
        let piece = &line[from..to];
        let lead = piece.len() - piece.trim_start().len();
        let trimmed = piece.trim();
        if trimmed.is_empty() {
            return;
        }
        let start = base + from + lead;
        seg.sentences.push((start, start + trimmed.len()));
        seg.sentence_paragraph.push(paragraph);
        seg.sentence_turn.push((seg.turns.len() - 1) as u32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{normalize, NormalizeConfig};

    fn sentences(t: &str) -> Vec<String> {
        let n = normalize(t, &NormalizeConfig::default());
        let s = Segmenter::default().segment(&n);
        s.sentences.iter().map(|&(a, b)| n.text[a..b].to_string()).collect()
    }

    #[test]
    fn chinese_sentences_and_credit() {
        let got = sentences("中方愿同俄方一道。俄方今年担任金砖国家轮值主席国！\n维护地区和全球的安全稳定。 据新华社\n");
        assert_eq!(got, ["中方愿同俄方一道。", "俄方今年担任金砖国家轮值主席国！", "维护地区和全球的安全稳定。", "据新华社"]);
    }

    #[test]
    fn closing_quote_stays_with_sentence() {
        let got = sentences("他说：“我们支持。”随后离开。");
        assert_eq!(got, ["他说：“我们支持。”", "随后离开。"]);
    }

    #[test]
    fn period_after_a_multibyte_space() {
        // Found by the fuzz target: a no-break space before an English period.
        let got = sentences("See page\u{a0}4. Then go.");
        assert_eq!(got, ["See page\u{a0}4.", "Then go."]);
    }

    #[test]
    fn english_periods() {
        let got = sentences("Mr. Lee met the U.S. Secretary of State. The two sides discussed 5.2 per cent growth.");
        assert_eq!(got, ["Mr. Lee met the U.S. Secretary of State.", "The two sides discussed 5.2 per cent growth."]);
    }

    #[test]
    fn speaker_turns() {
        let t = "标题\n法新社记者：请问中方如何评论？\n毛宁：中方一贯支持。我们反对。\n问：还有吗？\n";
        let n = normalize(t, &NormalizeConfig::default());
        let s = Segmenter::default().segment(&n);
        let labels: Vec<&str> = s.turns.iter().filter_map(|t| t.label).map(|(a, b)| &n.text[a..b]).collect();
        assert_eq!(labels, ["法新社记者", "毛宁", "问"]);
        assert_eq!(s.sentence_turn, [0, 1, 2, 2, 3]);
    }
}
