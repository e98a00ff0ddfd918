//! figure: numeric expressions (money, percentages, counts, dates, years, durations,
//! anniversaries, multiples) in Chinese and English diplomatic text.
//!
//! `FigureFinder::find` takes already normalised, line-joined text and the document's
//! year, and returns the figures in document order, non-overlapping, each with a byte
//! span (end exclusive), a normalised `value` and a `unit`:
//!
//! | unit | value | examples |
//! | --- | --- | --- |
//! | currency code (`USD`, `CNY`, `EUR`, `JPY`, `GBP`, `RUB`, `HKD`, …) | amount in that currency | 2400亿美元 → 2.4e11, 3.5万亿元 → 3.5e12, US$5 billion |
//! | `percent` | percent | 5.2%, 百分之三 → 3, 0.5个百分点 → 0.5, 八成 → 80, 三分之一 → 33.3 |
//! | `date` | YYYYMMDD | 2024年3月7日, 3月7日 (document year), 7 March 2024 |
//! | `day` | DD | a bare 7日 when no month is known earlier in the text |
//! | `month` | YYYYMM | 2023年11月, 去年11月 (year − 1), December 2022 |
//! | `year` | YYYY | 2023年, 二〇二三年, "in 2023" |
//! | `decade` | first year | 2020年代 → 2020, 90年代 → 1990, 2020s |
//! | `duration` | years | 十载 → 10, 半个多世纪 → 50, 三年 → 3, 两个月 → 0.1667, 3天 → 3/365 |
//! | `anniversary` | n | 75周年, 50th anniversary |
//! | `count` | n | 三场, 两大, 百余场 → 100, 数十个 → 10, 14亿人, 108 countries |
//! | `multiple` | n | 7倍 |
//!
//! Rules: vague amounts take their lower bound (百余 → 100, 数十 → 10, 两三个 → 2,
//! 三四十年 → 30, 近百年 → 100); 数/几/上 belong to the span, 近/约/超过 do not. A
//! date or month without a year takes `year`; when `year` is None it takes the last
//! explicit year seen earlier in the text, else 0 (so 3月7日 → 307, 11月 → 11). A
//! relative year prefix (去年/今年/明年/前年/后年) is part of the span and shifts the
//! document year; with no document year it counts as 0. A bare day (7日) takes the
//! month of the last date or month seen earlier in the text (so 3月7日至8日 gives two
//! dates); with none it is unit `day`, value DD, for the caller to complete.
//!
//! Not produced: relative dates without a numeral (去年, 下半年), ordinals (第三届,
//! 十四届, 二次会议, 二十大, 21世纪), 一 alone as article or count of one (一个, 一名,
//! 一年; but 一周年, 一倍, 一月 are kept), 两国/两党/两岸/三方 (国, 党, 方 … are not
//! measure words here), numeral idioms (see `IDIOMS`), codes (2758号, COVID-19, G20),
//! bare numbers without a unit or measure word (except amounts in 万/亿), and 多个 /
//! 多次 (no numeral).

use regex::{CaptureLocations, Regex};
use std::collections::HashMap;

/// A figure found in (already normalised, line-joined) text; offsets are byte offsets into that text, end exclusive.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// Start byte offset in the text.
    pub start: usize,
    /// End byte offset, exclusive.
    pub end: usize,
    /// Normalised value (see the table above).
    pub value: f64,
    /// Unit (see the table above).
    pub unit: &'static str,
}

/// What a suffix after a numeral makes of it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum K {
    Money(&'static str),
    /// 元: money only after an Arabic numeral or an amount in 万/亿, and not 元首/元年 …
    Yuan,
    Percent,
    /// 成: tenths, only in survey-like contexts (近八成, 超过六成, 八成以上).
    Percent10,
    /// 分之: a fraction, as a percentage.
    Fraction,
    Multiple,
    Anniversary,
    /// a duration; the factor converts the unit to years.
    Dur(f64),
    Count,
    /// a count whose suffix is a noun, not a measure word (14亿|人口): not in the span.
    CountBare,
    Decade,
    /// 年: a year when the numeral looks like one, else a duration in years.
    Year,
    Month,
    Day,
    /// 号 on its own is a code (2758号决议); it is a day only right after a month.
    Hao,
    /// 大: 两大, 三大 … are counts; 十八大, 二十大 are party congresses (ordinals).
    Da,
    /// ordinals and codes.
    Skip,
}

/// Suffixes after a numeral, and what they make of it. Looked up longest first.
const SUFFIXES: &[(&str, K)] = &[
    // anniversaries and ages
    ("周年", K::Anniversary),
    ("周岁", K::Count),
    // years, decades, durations
    ("年代", K::Decade),
    ("年", K::Year),
    ("财年", K::Year),
    ("载", K::Dur(1.0)),
    ("个多世纪", K::Dur(100.0)),
    ("个世纪", K::Dur(100.0)),
    ("个多月", K::Dur(1.0 / 12.0)),
    ("个月", K::Dur(1.0 / 12.0)),
    ("个多星期", K::Dur(7.0 / 365.0)),
    ("个星期", K::Dur(7.0 / 365.0)),
    ("个多小时", K::Dur(1.0 / 8760.0)),
    ("个小时", K::Dur(1.0 / 8760.0)),
    ("小时", K::Dur(1.0 / 8760.0)),
    ("分钟", K::Dur(1.0 / 525600.0)),
    ("天", K::Dur(1.0 / 365.0)),
    ("周", K::Dur(7.0 / 365.0)),
    // dates
    ("月", K::Month),
    ("日元", K::Money("JPY")),
    ("日", K::Day),
    ("号", K::Hao),
    // percentages and multiples
    ("%", K::Percent),
    ("％", K::Percent),
    ("个百分点", K::Percent),
    ("成", K::Percent10),
    ("分之", K::Fraction),
    ("倍", K::Multiple),
    // money
    ("美元", K::Money("USD")),
    ("美金", K::Money("USD")),
    ("元人民币", K::Money("CNY")),
    ("人民币", K::Money("CNY")),
    ("元", K::Yuan),
    ("欧元", K::Money("EUR")),
    ("英镑", K::Money("GBP")),
    ("卢布", K::Money("RUB")),
    ("港元", K::Money("HKD")),
    ("港币", K::Money("HKD")),
    ("澳元", K::Money("AUD")),
    ("加元", K::Money("CAD")),
    ("韩元", K::Money("KRW")),
    ("新加坡元", K::Money("SGD")),
    ("新元", K::Money("SGD")),
    ("卢比", K::Money("INR")),
    ("瑞郎", K::Money("CHF")),
    ("瑞士法郎", K::Money("CHF")),
    ("林吉特", K::Money("MYR")),
    ("泰铢", K::Money("THB")),
    ("越南盾", K::Money("VND")),
    ("新台币", K::Money("TWD")),
    ("兰特", K::Money("ZAR")),
    ("雷亚尔", K::Money("BRL")),
    ("迪拉姆", K::Money("AED")),
    ("坚戈", K::Money("KZT")),
    // ordinals and codes
    ("届", K::Skip),
    ("次会议", K::Skip),
    ("次全会", K::Skip),
    ("次全体会议", K::Skip),
    ("次大会", K::Skip),
    ("次党代会", K::Skip),
    ("世纪", K::Skip),
    // measure words (counts)
    ("大", K::Da),
    ("人口", K::CountBare),
    ("人民", K::CountBare),
    ("人士", K::CountBare),
    ("人员", K::CountBare),
    ("人次", K::Count),
    ("人", K::Count),
    ("个", K::Count),
    ("场", K::Count),
    ("次", K::Count),
    ("项", K::Count),
    ("名", K::Count),
    ("位", K::Count),
    ("家", K::Count),
    ("件", K::Count),
    ("条", K::Count),
    ("种", K::Count),
    ("批", K::Count),
    ("轮", K::Count),
    ("份", K::Count),
    ("艘", K::Count),
    ("架", K::Count),
    ("辆", K::Count),
    ("剂", K::Count),
    ("例", K::Count),
    ("所", K::Count),
    ("座", K::Count),
    ("枚", K::Count),
    ("颗", K::Count),
    ("部", K::Count),
    ("台", K::Count),
    ("篇", K::Count),
    ("句", K::Count),
    ("点", K::Count),
    ("支", K::Count),
    ("组", K::Count),
    ("处", K::Count),
    ("块", K::Count),
    ("张", K::Count),
    ("套", K::Count),
    ("只", K::Count),
    ("列", K::Count),
    ("趟", K::Count),
    ("户", K::Count),
    ("棵", K::Count),
    ("宗", K::Count),
    ("起", K::Count),
    ("遍", K::Count),
    ("岁", K::Count),
    ("票", K::Count),
    ("响", K::Count),
    ("层", K::Count),
    ("类", K::Count),
    ("款", K::Count),
    ("方面", K::Count),
    ("代人", K::Count),
    ("吨", K::Count),
    ("公里", K::Count),
    ("平方公里", K::Count),
    ("平方米", K::Count),
    ("千米", K::Count),
    ("海里", K::Count),
    ("英里", K::Count),
    ("公顷", K::Count),
    ("亩", K::Count),
    ("千瓦时", K::Count),
    ("千瓦", K::Count),
    ("兆瓦", K::Count),
    ("立方米", K::Count),
    ("桶", K::Count),
    ("公斤", K::Count),
    ("千克", K::Count),
    ("标箱", K::Count),
    ("标准箱", K::Count),
];

/// Numeral idioms and fixed names that would otherwise look like a count, duration or
/// percentage. Built from the corpus (numeral + measure word hits read by hand); a
/// candidate overlapping one of these is dropped. Most numeral idioms (三六九等,
/// 千家万户, 说一套做一套, 一带一路, 百年未有之大变局, 两国, 两岸 …) never fire, because
/// their numerals are not well-formed (三六九), are bare 一/百/千/万, or are followed
/// by no measure word; they are listed where a near-miss is plausible.
const IDIOMS: &[&str] = &[
    "三番五次",
    "三位一体",
    "四位一体",
    "五位一体",
    "四处",
    "千家万户",
    "成千上万",
    "成百上千",
    "千千万万",
    "三五成群",
    "一成不变",
    "三头六臂",
    "说三道四",
    "三令五申",
    "四面八方",
    "五湖四海",
    "三天两头",
    "三天打鱼",
    "两天晒网",
    "十年树木",
    "百年树人",
    "一年四季",
    "两个凡是",
    "千里之行",
    "七七事变",
    "九一八",
    "五四运动",
    "三八线",
    "一二·九",
    "二次元",
    "十万火急",
    "百分百",
    "万众一心",
    "千方百计",
    "三座大山",
    "二把手",
    "三大件",
    // 一 inside a word, before 多/余 (唯一多次)
    "唯一",
    "统一",
    "同一",
    "万一",
    "逐一",
    "单一",
    "划一",
    "一一",
    // place names
    "四日市",
];

const MONTHS_EN: &[(&str, u32)] = &[
    ("January", 1),
    ("February", 2),
    ("March", 3),
    ("April", 4),
    ("May", 5),
    ("June", 6),
    ("July", 7),
    ("August", 8),
    ("September", 9),
    ("October", 10),
    ("November", 11),
    ("December", 12),
    ("Jan", 1),
    ("Feb", 2),
    ("Mar", 3),
    ("Apr", 4),
    ("Jun", 6),
    ("Jul", 7),
    ("Aug", 8),
    ("Sept", 9),
    ("Sep", 9),
    ("Oct", 10),
    ("Nov", 11),
    ("Dec", 12),
];

/// Lower-case English words ending in s that follow a number but are no noun.
const EN_NOT_NOUNS: &[&str] = &[
    "was", "is", "has", "does", "as", "this", "its", "his", "thus", "plus", "minus", "across",
    "towards", "less", "unless", "us", "yes", "goes", "percents",
];

/// Compiled figure patterns; build once, use from many threads.
pub struct FigureFinder {
    /// The numeral idioms, as one automaton (a `str::find` per idiom per figure was a tenth
    /// of the figure pass).
    idioms: aho_corasick::AhoCorasick,
    zh: Regex,
    en: Regex,
    suffixes: HashMap<char, Vec<(&'static str, K)>>,
    g: Groups,
}

/// Capture group indices of the two regexes.
struct Groups {
    pct: usize,
    vq: usize,
    ar: usize,
    cn: usize,
    v1: usize,
    m: usize,
    v2: usize,
    half: usize,
    dmy: usize,
    d1: usize,
    d2: usize,
    mo1: usize,
    y1: usize,
    mdy: usize,
    mo2: usize,
    d3: usize,
    y2: usize,
    my: usize,
    mo3: usize,
    y3: usize,
    cur: usize,
    amt: usize,
    amul: usize,
    amt2: usize,
    amul2: usize,
    ccy2: usize,
    pc: usize,
    ann: usize,
    mul: usize,
    dur: usize,
    dunit: usize,
    dec: usize,
    yr: usize,
    cnt: usize,
    noun: usize,
}

/// The spans of the groups of one match of the Chinese pattern that [`FigureFinder::zh_token`]
/// reads.
#[derive(Clone, Copy, Default)]
struct ZhSpans {
    pct: Option<(usize, usize)>,
    vq: Option<(usize, usize)>,
    ar: Option<(usize, usize)>,
    cn: Option<(usize, usize)>,
    v1: Option<(usize, usize)>,
    m: Option<(usize, usize)>,
    v2: Option<(usize, usize)>,
    half: Option<(usize, usize)>,
}

/// Per-call state: the last explicit year and month seen, for implied ones.
struct Ctx {
    doc_year: Option<i32>,
    last_year: Option<i32>,
    last_month: Option<(i32, u32)>,
}

impl Ctx {
    fn implied_year(&self) -> i32 {
        self.doc_year.or(self.last_year).unwrap_or(0)
    }
}

/// A parsed Chinese numeral.
struct Cn {
    value: f64,
    /// starts with 百/千/万/亿 (百余, 数十 …): needs a vague word to be a numeral.
    bare_unit: bool,
    /// digits read one by one (二〇二四): only a year.
    digit_seq: bool,
    /// two neighbouring digits (两三, 三四十): an approximate amount.
    approx: bool,
}

fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn cn_unit(c: char) -> Option<f64> {
    Some(match c {
        '十' => 10.0,
        '百' => 100.0,
        '千' => 1000.0,
        '万' => 1e4,
        '亿' => 1e8,
        _ => return None,
    })
}

/// Parses a Chinese numeral (一百零五, 两千, 三十万, 二〇二四, 三点五, 两三).
fn parse_cn(s: &str) -> Option<Cn> {
    let (int_part, frac_part) = match s.find('点') {
        Some(i) => (&s[..i], Some(&s[i + '点'.len_utf8()..])),
        None => (s, None),
    };
    let mut chars = int_part.chars();
    let first = chars.next()?;
    // digits one by one, or two neighbouring digits (approximate)
    if int_part.chars().all(|c| cn_digit(c).is_some()) && int_part.chars().count() >= 2 {
        if frac_part.is_some() {
            return None;
        }
        let mut v: u64 = 0;
        let mut n = 0;
        let mut prev: Option<u32> = None;
        let mut ascending_pair = true;
        for c in int_part.chars() {
            let d = cn_digit(c)?;
            if c == '两' && n > 0 {
                ascending_pair = false;
            }
            if let Some(p) = prev {
                if d != p + 1 {
                    ascending_pair = false;
                }
            }
            prev = Some(d);
            v = v * 10 + d as u64;
            n += 1;
        }
        if n == 2 && ascending_pair {
            let d1 = cn_digit(first)?;
            return Some(Cn {
                value: d1 as f64,
                bare_unit: false,
                digit_seq: false,
                approx: true,
            });
        }
        return Some(Cn {
            value: v as f64,
            bare_unit: false,
            digit_seq: true,
            approx: false,
        });
    }
    // 三四十, 两三百: two neighbouring digits and units
    {
        let cs: Vec<char> = int_part.chars().collect();
        if cs.len() >= 3 {
            if let (Some(a), Some(b)) = (cn_digit(cs[0]), cn_digit(cs[1])) {
                if b == a + 1 && a > 0 && cs[2..].iter().all(|&c| cn_unit(c).is_some()) {
                    let mult: f64 = cs[2..].iter().map(|&c| cn_unit(c).unwrap()).product();
                    return Some(Cn {
                        value: a as f64 * mult,
                        bare_unit: false,
                        digit_seq: false,
                        approx: true,
                    });
                }
                return None;
            }
        }
    }
    let bare_unit = matches!(first, '百' | '千' | '万' | '亿');
    let mut total = 0.0f64; // above 万/亿
    let mut section = 0.0f64; // below 万
    let mut num: Option<f64> = None;
    let mut zero = false;
    let mut last_small = f64::INFINITY; // last of 十百千 in this section
    let mut last_unit = 1.0f64;
    for c in int_part.chars() {
        if let Some(d) = cn_digit(c) {
            if d == 0 {
                if num.is_some() {
                    return None;
                }
                zero = true;
                continue;
            }
            if num.is_some() {
                return None;
            }
            num = Some(d as f64);
        } else if let Some(u) = cn_unit(c) {
            if u < 1e4 {
                if u >= last_small {
                    return None;
                }
                section += num.unwrap_or(1.0) * u;
                last_small = u;
            } else if u == 1e4 {
                let sec = section + num.unwrap_or(if section == 0.0 { 1.0 } else { 0.0 });
                if total > 0.0 && total % 1e8 != 0.0 {
                    return None;
                }
                total += sec * 1e4;
                section = 0.0;
                last_small = f64::INFINITY;
            } else {
                let sec = section
                    + num.unwrap_or(if section == 0.0 && total == 0.0 {
                        1.0
                    } else {
                        0.0
                    });
                total = (total + sec) * 1e8;
                section = 0.0;
                last_small = f64::INFINITY;
            }
            num = None;
            zero = false;
            last_unit = u;
        } else {
            return None;
        }
    }
    let mut value = total + section;
    if let Some(n) = num {
        // 三千五 = 3500 (colloquial), 一百零五 = 105
        if !zero && last_unit >= 100.0 && (100.0..f64::INFINITY).contains(&last_small) {
            value += n * last_small / 10.0;
        } else if !zero
            && last_unit >= 1e4
            && last_small == f64::INFINITY
            && section == 0.0
            && total > 0.0
        {
            value += n * last_unit / 10.0;
        } else {
            value += n;
        }
    }
    if let Some(f) = frac_part {
        if f.is_empty() {
            return None;
        }
        let mut scale = 0.1;
        for c in f.chars() {
            value += cn_digit(c)? as f64 * scale;
            scale /= 10.0;
        }
    }
    Some(Cn {
        value,
        bare_unit,
        digit_seq: false,
        approx: false,
    })
}

/// Parses an Arabic numeral with optional thousands commas, decimals and full-width digits.
fn parse_ar(s: &str) -> f64 {
    let (m, div) = parse_ar_parts(s);
    m / div
}

/// An Arabic numeral as mantissa and divisor (12.95 → 1295, 100), so that a product
/// with a multiplier stays exact (12.95万亿 → 12950000000000, not …0.002).
fn parse_ar_parts(s: &str) -> (f64, f64) {
    let mut v = 0.0f64;
    let mut div = 1.0f64;
    let mut frac = false;
    for c in s.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            '.' | '．' => {
                frac = true;
                continue;
            }
            _ => continue,
        };
        v = v * 10.0 + d as f64;
        if frac {
            div *= 10.0;
        }
    }
    (v, div)
}

fn ar_digit_count(s: &str) -> usize {
    s.chars()
        .filter(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .count()
}

fn prev_char(text: &str, i: usize) -> Option<char> {
    text[..i].chars().next_back()
}

fn next_char(text: &str, i: usize) -> Option<char> {
    text[i..].chars().next()
}

/// A small numeral (month or day) at `pos`: 1–2 Arabic digits or up to three Chinese
/// characters of 〇一二三四五六七八九十. Returns its value and end.
fn read_small(text: &str, pos: usize) -> Option<(u32, usize)> {
    let rest = &text[pos..];
    let mut end = 0;
    let mut n = 0;
    let mut v = 0u32;
    for c in rest.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            _ => break,
        };
        v = v * 10 + d;
        n += 1;
        end += c.len_utf8();
        if n > 2 {
            return None;
        }
    }
    if n > 0 {
        return Some((v, pos + end));
    }
    for c in rest.chars() {
        if !matches!(
            c,
            '〇' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
        ) {
            break;
        }
        n += 1;
        end += c.len_utf8();
        if n > 3 {
            return None;
        }
    }
    if n == 0 {
        return None;
    }
    let cn = parse_cn(&rest[..end])?;
    if cn.digit_seq || cn.approx || cn.value.fract() != 0.0 {
        return None;
    }
    Some((cn.value as u32, pos + end))
}

/// A numeral (Arabic or Chinese) at `pos`, for the denominator part of 三分之一.
fn read_num(text: &str, pos: usize) -> Option<(f64, usize)> {
    let rest = &text[pos..];
    let mut end = 0;
    let mut arabic = false;
    for c in rest.chars() {
        let ok =
            c.is_ascii_digit() || ('０'..='９').contains(&c) || (end > 0 && arabic && c == '.');
        if !ok {
            break;
        }
        arabic = true;
        end += c.len_utf8();
    }
    if arabic {
        return Some((parse_ar(&rest[..end]), pos + end));
    }
    for c in rest.chars() {
        if cn_digit(c).is_none() && cn_unit(c).is_none() && c != '点' {
            break;
        }
        end += c.len_utf8();
    }
    if end == 0 {
        return None;
    }
    let cn = parse_cn(&rest[..end])?;
    if cn.digit_seq || cn.approx {
        return None;
    }
    Some((cn.value, pos + end))
}

/// The first char boundary at or before `i`.
fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn date_value(y: i32, m: u32, d: u32) -> f64 {
    (y as i64 * 10000 + m as i64 * 100 + d as i64) as f64
}

fn month_value(y: i32, m: u32) -> f64 {
    (y as i64 * 100 + m as i64) as f64
}

fn group_index(re: &Regex, name: &str) -> usize {
    re.capture_names()
        .position(|n| n == Some(name))
        .unwrap_or_else(|| panic!("no group {name}"))
}

impl Default for FigureFinder {
    fn default() -> Self {
        Self::new()
    }
}

impl FigureFinder {
    /// Whether [s, e) overlaps an occurrence of a numeral idiom.
    fn in_idiom(&self, text: &str, s: usize, e: usize) -> bool {
        let longest = IDIOMS.iter().map(|i| i.len()).max().unwrap_or(0);
        let lo = floor_boundary(text, s.saturating_sub(longest));
        let hi = ceil_boundary(text, (e + longest).min(text.len()));
        self.idioms.find_overlapping_iter(&text[lo..hi]).any(|m| lo + m.start() < e && lo + m.end() > s)
    }

    /// Compiles the patterns; build once and share.
    pub fn new() -> FigureFinder {
        let zh = Regex::new(concat!(
            r"(?P<pct>百分之)?",
            r"(?P<vq>数|几|上|近)?",
            r"(?:(?P<ar>[0-9０-９]+(?:,[0-9]{3})+(?:[.．][0-9０-９]+)?|[0-9０-９]+(?:[.．][0-9０-９]+)?)",
            r"|(?P<cn>[〇零一二三四五六七八九十百千万亿两]+(?:点[〇零一二三四五六七八九]+)?))",
            r"(?P<v1>[多余几])?(?P<m>[十百千万亿]+)?(?P<v2>[多余])?",
            r"|(?P<half>大?半个多?世纪|半世纪|半年|半个多?月)",
        ))
        .expect("zh regex");
        let months = {
            let mut v: Vec<String> = Vec::new();
            for (name, _) in MONTHS_EN {
                v.push(name.to_string());
                v.push(name.to_uppercase());
            }
            v.join("|")
        };
        let en_src = format!(
            concat!(
                r"(?P<dmy>(?-u:\b)(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:\s*(?:-|–|to|and|&)\s*(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?)?\s+(?P<mo1>{m})\.?(?-u:\b)(?:,?\s+(?P<y1>\d{{4}}))?)",
                r"|(?P<mdy>(?-u:\b)(?P<mo2>{m})\.?\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?(?-u:\b)(?:,?\s+(?P<y2>\d{{4}}))?)",
                r"|(?P<my>(?-u:\b)(?P<mo3>{m})\.?,?\s+(?P<y3>\d{{4}}))",
                r"|(?P<cur>US\$|S\$|A\$|HK\$|NZ\$|C\$|\$|€|£|(?-u:\b)RM|(?-u:\b)USD|(?-u:\b)SGD|(?-u:\b)EUR|(?-u:\b)GBP|(?-u:\b)JPY|(?-u:\b)RMB|(?-u:\b)CNY)\s?(?P<amt>\d[\d,]*(?:\.\d+)?)(?:\s?(?P<amul>million|billion|trillion|mn|bn)(?-u:\b))?",
                r"|(?-u:\b)(?P<amt2>\d[\d,]*(?:\.\d+)?)\s?(?:(?P<amul2>million|billion|trillion)\s)?(?P<ccy2>yuan|US dollars|dollars|euros|rupees|ringgit)(?-u:\b)",
                r"|(?-u:\b)(?P<pc>\d+(?:\.\d+)?)\s?(?:%|％|per\s?cent(?-u:\b)|percent(?-u:\b)|percentage points?(?-u:\b))",
                r"|(?-u:\b)(?P<ann>\d+)(?:st|nd|rd|th)\s+(?:[Aa]nniversary|ANNIVERSARY)(?-u:\b)",
                r"|(?-u:\b)(?P<mul>\d+(?:\.\d+)?)\s+times(?-u:\b)",
                r"|(?-u:\b)(?P<dur>\d+)\s+(?P<dunit>years?|months?|weeks?|days?|decades?)(?-u:\b)",
                r"|(?-u:\b)(?P<dec>(?:1[89]|20)\d0)s(?-u:\b)",
                r"|(?-u:\b)(?:[Ii]n|[Ss]ince|[Bb]y|[Ff]rom|to|[Uu]ntil|till|through|[Bb]efore|[Aa]fter|of|[Dd]uring|[Ee]arly|[Ll]ate|mid-|end of|year|[Bb]etween|and|[Ff]or)\s+(?P<yr>(?:1[89]|20)\d\d)(?-u:\b)",
                r"|(?-u:\b)(?P<cnt>\d{{1,3}}(?:,\d{{3}})+|\d+)\s+(?P<noun>[a-z][a-z-]*[a-z]s)(?-u:\b)",
            ),
            m = months
        );
        let en = Regex::new(&en_src).expect("en regex");
        let mut suffixes: HashMap<char, Vec<(&'static str, K)>> = HashMap::new();
        for &(s, k) in SUFFIXES {
            suffixes
                .entry(s.chars().next().unwrap())
                .or_default()
                .push((s, k));
        }
        for v in suffixes.values_mut() {
            v.sort_by_key(|e| std::cmp::Reverse(e.0.len()));
        }
        let g = Groups {
            pct: group_index(&zh, "pct"),
            vq: group_index(&zh, "vq"),
            ar: group_index(&zh, "ar"),
            cn: group_index(&zh, "cn"),
            v1: group_index(&zh, "v1"),
            m: group_index(&zh, "m"),
            v2: group_index(&zh, "v2"),
            half: group_index(&zh, "half"),
            dmy: group_index(&en, "dmy"),
            d1: group_index(&en, "d1"),
            d2: group_index(&en, "d2"),
            mo1: group_index(&en, "mo1"),
            y1: group_index(&en, "y1"),
            mdy: group_index(&en, "mdy"),
            mo2: group_index(&en, "mo2"),
            d3: group_index(&en, "d3"),
            y2: group_index(&en, "y2"),
            my: group_index(&en, "my"),
            mo3: group_index(&en, "mo3"),
            y3: group_index(&en, "y3"),
            cur: group_index(&en, "cur"),
            amt: group_index(&en, "amt"),
            amul: group_index(&en, "amul"),
            amt2: group_index(&en, "amt2"),
            amul2: group_index(&en, "amul2"),
            ccy2: group_index(&en, "ccy2"),
            pc: group_index(&en, "pc"),
            ann: group_index(&en, "ann"),
            mul: group_index(&en, "mul"),
            dur: group_index(&en, "dur"),
            dunit: group_index(&en, "dunit"),
            dec: group_index(&en, "dec"),
            yr: group_index(&en, "yr"),
            cnt: group_index(&en, "cnt"),
            noun: group_index(&en, "noun"),
        };
        FigureFinder {
            idioms: aho_corasick::AhoCorasick::new(IDIOMS).expect("idiom automaton"),
            zh,
            en,
            suffixes,
            g,
        }
    }

    /// All figures in `text`, in order, non-overlapping. `year` is the document's year
    /// (from its date), used where the year is implied (3月7日 → 20240307, 去年11月 →
    /// 202311). With None, an implied year is the last explicit year earlier in the text,
    /// else 0 (3月7日 → 307 `date`, 11月 → 11 `month`); a relative one (去年11月) is 0.
    pub fn find(&self, text: &str, year: Option<i32>) -> Vec<Figure> {
        let mut ctx = Ctx {
            doc_year: year,
            last_year: None,
            last_month: None,
        };
        let mut zh = Vec::new();
        let mut locs = self.zh.capture_locations();
        let mut pos = 0;
        while pos < text.len() {
            let Some(m) = self.zh.find_at(text, pos) else {
                break;
            };
            pos = m.end().max(m.start() + 1);
            // Two matches in three are one character (一 of 一道, 两 of 两国), which can only be
            // the numeral group: its span is the match, with no capture engine run. Any other
            // match is matched again for its groups, from where it starts.
            let spans = match m.as_str().chars().next() {
                Some(c) if c.len_utf8() == m.len() => {
                    let span = Some((m.start(), m.end()));
                    if c.is_ascii_digit() || ('０'..='９').contains(&c) {
                        ZhSpans { ar: span, ..ZhSpans::default() }
                    } else {
                        ZhSpans { cn: span, ..ZhSpans::default() }
                    }
                }
                _ => {
                    self.zh.captures_read_at(&mut locs, text, m.start());
                    let g = &self.g;
                    ZhSpans {
                        pct: locs.get(g.pct),
                        vq: locs.get(g.vq),
                        ar: locs.get(g.ar),
                        cn: locs.get(g.cn),
                        v1: locs.get(g.v1),
                        m: locs.get(g.m),
                        v2: locs.get(g.v2),
                        half: locs.get(g.half),
                    }
                }
            };
            if let Some(f) = self.zh_token(text, &spans, &mut ctx) {
                if zh.last().is_none_or(|l: &Figure| f.start >= l.end) {
                    pos = pos.max(f.end);
                    zh.push(f);
                }
            }
            pos = ceil_boundary(text, pos);
        }
        // English patterns only where there is ASCII text to match.
        let mut en = Vec::new();
        if text.bytes().any(|b| b.is_ascii_alphabetic() || b == b'$') {
            self.scan_en(text, year, &mut en);
        }
        if en.is_empty() {
            return zh;
        }
        // merge: earlier start first, longer first; drop overlaps
        let mut all = zh;
        all.extend(en);
        all.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        let mut out: Vec<Figure> = Vec::with_capacity(all.len());
        for f in all {
            if out.last().is_none_or(|l| f.start >= l.end) {
                out.push(f);
            }
        }
        out
    }

    fn zh_token(&self, text: &str, spans: &ZhSpans, ctx: &mut Ctx) -> Option<Figure> {
        if let Some((hs, he)) = spans.half {
            let h = &text[hs..he];
            let value = if h.ends_with("世纪") {
                50.0
            } else if h == "半年" {
                if matches!(
                    prev_char(text, hs),
                    Some('上' | '下' | '前' | '后' | '今' | '去' | '明' | '本' | '多')
                ) {
                    return None;
                }
                0.5
            } else {
                1.0 / 24.0
            };
            return Some(Figure {
                start: hs,
                end: he,
                value,
                unit: "duration",
            });
        }
        let (ns, ne, is_ar) = match (spans.ar, spans.cn) {
            (Some((s, e)), _) => (s, e, true),
            (None, Some((s, e))) => (s, e, false),
            _ => return None,
        };
        let num = &text[ns..ne];
        let pct = spans.pct;
        let vq = spans.vq.map(|(s, e)| (s, &text[s..e]));
        let v1 = spans.v1.map(|(s, e)| &text[s..e]);
        let mult_s = spans.m.map(|(s, e)| &text[s..e]);
        let v2 = spans.v2.is_some();
        let tok_end = [spans.v2, spans.m, spans.v1]
            .iter()
            .flatten()
            .map(|&(_, e)| e)
            .max()
            .unwrap_or(ne);

        // context before the numeral (or its vague prefix)
        let first_start = pct.map(|p| p.0).or(vq.map(|v| v.0)).unwrap_or(ns);
        let before = prev_char(text, first_start);
        if before == Some('第')
            || (vq.is_none() && pct.is_none() && prev_char(text, ns) == Some('第'))
        {
            return None;
        }
        if is_ar {
            // codes: COVID-19, G20, MH17, 5G, S-400
            if let Some(c) = prev_char(text, ns) {
                if c.is_ascii_alphabetic() || c == '_' || c == '/' || c == '#' {
                    return None;
                }
                if c == '-' {
                    let b = prev_char(text, ns - 1);
                    if b.is_some_and(|b| b.is_ascii_alphabetic()) {
                        return None;
                    }
                }
                if c == '.' && prev_char(text, ns - 1).is_some_and(|b| b.is_ascii_digit()) {
                    return None;
                }
            }
            if tok_end == ne && next_char(text, ne).is_some_and(|c| c.is_ascii_alphabetic()) {
                return None;
            }
        }

        // value of the numeral
        if !is_ar && matches!(num, "零" | "〇") {
            return None;
        }
        // 5亿千瓦: the multiplier run must not eat the 千 of 千瓦/千米/千克
        let mut mult_s = mult_s;
        let mut tok_end = tok_end;
        if let Some((ms, me)) = spans.m {
            if tok_end == me
                && text[..me].ends_with('千')
                && matches!(next_char(text, me), Some('瓦' | '米' | '克'))
            {
                let me2 = me - '千'.len_utf8();
                mult_s = if me2 > ms { Some(&text[ms..me2]) } else { None };
                tok_end = me2;
            }
        }
        let (mantissa, div, bare_unit, digit_seq, approx) = if is_ar {
            let (m, d) = parse_ar_parts(num);
            (m, d, false, false, false)
        } else {
            let c = parse_cn(num)?;
            (c.value, 1.0, c.bare_unit, c.digit_seq, c.approx)
        };
        let starts_unit = !is_ar && num.starts_with(['十', '百', '千', '万', '亿']);
        let vq_word = vq.map(|v| v.1);
        let vague_prefix = matches!(vq_word, Some("数" | "几" | "上" | "近")) && starts_unit;
        if bare_unit && !vague_prefix && v1.is_none() && pct.is_none() {
            return None;
        }
        let mut value = mantissa;
        if let Some(ms) = mult_s {
            for c in ms.chars() {
                value *= cn_unit(c).unwrap_or(1.0);
            }
        }
        value /= div;
        let vague = vague_prefix || v1.is_some() || v2 || approx;
        let start = match vq {
            Some((s, w)) if starts_unit && w != "近" => s,
            _ => ns,
        };
        let bare_one = !is_ar && num == "一" && v1.is_none() && mult_s.is_none();
        let has_wan_yi = mult_s.is_some_and(|m| m.contains(['万', '亿']))
            || (!is_ar && num.contains(['万', '亿']));
        let integer = value.fract() == 0.0 && !vague;

        // 百分之三
        if let Some((ps, _)) = pct {
            if digit_seq || approx {
                return None;
            }
            let f = Figure {
                start: ps,
                end: tok_end,
                value,
                unit: "percent",
            };
            return (!self.in_idiom(text, f.start, f.end)).then_some(f);
        }

        let rest = &text[tok_end..];
        let mut suffix = self.suffix_at(text, tok_end);

        // 1/4 → 25 percent
        if is_ar && suffix.is_none() && tok_end == ne && rest.starts_with('/') {
            let den_start = ne + 1;
            if let Some((den, e)) = read_num(text, den_start) {
                let arabic_den = next_char(text, den_start).is_some_and(|c| c.is_ascii_digit());
                let after_ok = !next_char(text, e)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '/' || c == '.');
                if arabic_den && after_ok && integer && value > 0.0 && value < den && den <= 100.0 {
                    return Some(Figure {
                        start,
                        end: e,
                        value: 100.0 * value / den,
                        unit: "percent",
                    });
                }
            }
        }

        // a range (2024－2025年, 1至10月, 5至10年, 2400至3500份): the first numeral takes
        // the second's unit, without it in its span.
        let mut borrowed = false;
        if suffix.is_none() {
            if let Some(c) = next_char(text, tok_end)
                .filter(|c| matches!(c, '至' | '到' | '—' | '–' | '－' | '-' | '~' | '～'))
            {
                let p = tok_end + c.len_utf8();
                let run: usize = text[p..]
                    .chars()
                    .take_while(|&ch| {
                        ch.is_ascii_digit()
                            || ('０'..='９').contains(&ch)
                            || ch == '.'
                            || cn_digit(ch).is_some()
                            || cn_unit(ch).is_some()
                            || ch == '多'
                            || ch == '余'
                    })
                    .map(char::len_utf8)
                    .sum();
                let second = &text[p..p + run];
                // 3至5亿美元: the first numeral lacks the second's multiplier; leave it
                if run > 0
                    && (has_wan_yi || !second.contains(['万', '亿']))
                    && is_ar
                        == second.starts_with(|ch: char| {
                            ch.is_ascii_digit() || ('０'..='９').contains(&ch)
                        })
                {
                    if let Some((s2, k2)) = self.suffix_at(text, p + run) {
                        if !matches!(
                            k2,
                            K::Fraction | K::Skip | K::Hao | K::CountBare | K::Percent10 | K::Da
                        ) {
                            suffix = Some((s2, k2));
                            borrowed = true;
                        }
                    }
                }
            }
        }

        let fig = |end: usize, value: f64, unit: &'static str| {
            Some(Figure {
                start,
                end,
                value,
                unit,
            })
        };
        if digit_seq && !matches!(suffix, Some((_, K::Year))) {
            return None;
        }
        let res = match suffix {
            None => {
                if has_wan_yi && !bare_one && !digit_seq {
                    fig(tok_end, value, "count")
                } else {
                    None
                }
            }
            Some((s, k)) => {
                let send = if borrowed { tok_end } else { tok_end + s.len() };
                match k {
                    K::Skip => None,
                    K::Money(c) => fig(send, value, c),
                    K::Yuan => {
                        let after = next_char(text, send);
                        if (!is_ar && !has_wan_yi)
                            || matches!(
                                after,
                                Some(
                                    '首' | '年'
                                        | '素'
                                        | '旦'
                                        | '帅'
                                        | '老'
                                        | '气'
                                        | '化'
                                        | '宵'
                                        | '月'
                                        | '论'
                                )
                            )
                        {
                            None
                        } else {
                            fig(send, value, "CNY")
                        }
                    }
                    K::Percent => fig(send, value, "percent"),
                    K::Percent10 => {
                        let ok_before = text[..start].ends_with("超过")
                            || vq_word == Some("近")
                            || matches!(
                                before,
                                Some(
                                    '近' | '超'
                                        | '逾'
                                        | '约'
                                        | '占'
                                        | '达'
                                        | '有'
                                        | '过'
                                        | '和'
                                        | '及'
                                        | '、'
                                )
                            );
                        let after = &text[send..];
                        let ok_after = after.starts_with("以上")
                            || after.starts_with("左右")
                            || after.starts_with("受访");
                        if !is_ar
                            && !bare_one
                            && integer
                            && (1.0..=9.0).contains(&value)
                            && (ok_before || ok_after)
                        {
                            fig(send, value * 10.0, "percent")
                        } else {
                            None
                        }
                    }
                    K::Fraction => {
                        let (den_val, e) = read_num(text, send)?;
                        if value == 0.0 || vague {
                            None
                        } else {
                            fig(e, 100.0 * den_val / value, "percent")
                        }
                    }
                    K::Multiple => fig(send, value, "multiple"),
                    K::Anniversary => fig(send, value, "anniversary"),
                    K::Dur(f) => {
                        if bare_one {
                            None
                        } else {
                            fig(send, value * f, "duration")
                        }
                    }
                    K::Count => {
                        // 二 alone before a measure word is a name or an ordinal (电视二台, 二次);
                        // a count of two is 两
                        if bare_one || (num == "二" && s != "人") {
                            None
                        } else {
                            fig(send, value, "count")
                        }
                    }
                    K::CountBare => {
                        if bare_one {
                            None
                        } else {
                            fig(tok_end, value, "count")
                        }
                    }
                    K::Da => {
                        let head = &text[..start];
                        let party = head.ends_with("中共")
                            || head.ends_with("党的")
                            || head.ends_with("召开")
                            || matches!(before, Some('共' | '党'));
                        let word = matches!(
                            next_char(text, send),
                            Some('队' | '会' | '使' | '学' | '厅' | '楼' | '街' | '院' | '局')
                        );
                        if !is_ar && integer && (2.0..=10.0).contains(&value) && !party && !word {
                            fig(send, value, "count")
                        } else {
                            None
                        }
                    }
                    K::Decade => {
                        if !integer {
                            None
                        } else {
                            let head = &text[..start];
                            let c21 = head.ends_with("21世纪")
                                || head.ends_with("二十一世纪")
                                || head.ends_with("本世纪");
                            let y = if value >= 100.0 {
                                value
                            } else if c21 {
                                2000.0 + value
                            } else {
                                1900.0 + value
                            };
                            fig(send, y, "decade")
                        }
                    }
                    K::Year => {
                        let year_like = integer
                            && mult_s.is_none()
                            && vq.is_none()
                            && if is_ar {
                                ar_digit_count(num) == 4 && (1000.0..2200.0).contains(&value)
                            } else {
                                digit_seq && num.chars().count() == 4
                            };
                        if year_like {
                            let y = value as i32;
                            ctx.last_year = Some(y);
                            match if borrowed {
                                None
                            } else {
                                self.month_day(text, send, y, ctx)
                            } {
                                Some(f) => Some(Figure { start, ..f }),
                                None => fig(send, value, "year"),
                            }
                        } else if digit_seq || bare_one || next_char(text, send) == Some('级') {
                            None
                        } else {
                            fig(send, value, "duration")
                        }
                    }
                    K::Month => {
                        if !integer
                            || !(1.0..=12.0).contains(&value)
                            || num.contains('两')
                            || mult_s.is_some()
                            || (is_ar && ar_digit_count(num) > 2)
                        {
                            None
                        } else {
                            let head = &text[..start];
                            let rel = [
                                ("去年", -1),
                                ("今年", 0),
                                ("明年", 1),
                                ("前年", -2),
                                ("后年", 2),
                            ]
                            .iter()
                            .find(|(p, _)| head.ends_with(p))
                            .map(|&(p, off)| (p.len(), off));
                            let (y, s0) = match rel {
                                Some((plen, off)) => {
                                    (ctx.doc_year.map_or(0, |y| y + off), start - plen)
                                }
                                None if head.ends_with("同年") || head.ends_with("当年") => {
                                    (ctx.last_year.or(ctx.doc_year).unwrap_or(0), start)
                                }
                                None => (ctx.implied_year(), start),
                            };
                            if borrowed {
                                ctx.last_month = Some((y, value as u32));
                                Some(Figure {
                                    start: s0,
                                    end: send,
                                    value: month_value(y, value as u32),
                                    unit: "month",
                                })
                            } else {
                                // month_day re-reads the month from its numeral
                                self.month_day(text, start, y, ctx)
                                    .map(|f| Figure { start: s0, ..f })
                            }
                        }
                    }
                    K::Day | K::Hao => {
                        let range_before = matches!(
                            before,
                            Some('至' | '到' | '—' | '–' | '-' | '、' | '和' | '~' | '～')
                        );
                        let ok = integer
                            && (1.0..=31.0).contains(&value)
                            && mult_s.is_none()
                            && (if is_ar {
                                ar_digit_count(num) <= 2
                            } else {
                                range_before && !bare_one && !num.contains('两')
                            })
                            && (k == K::Day || range_before && ctx.last_month.is_some())
                            && !text[send..].starts_with('本');
                        if !ok {
                            None
                        } else if let Some((y, mo)) = ctx.last_month {
                            fig(send, date_value(y, mo, value as u32), "date")
                        } else {
                            fig(send, value, "day")
                        }
                    }
                }
            }
        };
        let f = res?;
        if self.in_idiom(text, f.start, f.end) {
            return None;
        }
        Some(f)
    }

    /// The unit or measure word at `pos`, longest first.
    fn suffix_at(&self, text: &str, pos: usize) -> Option<(&'static str, K)> {
        let rest = &text[pos..];
        let c = rest.chars().next()?;
        self.suffixes
            .get(&c)?
            .iter()
            .find(|(s, _)| rest.starts_with(s))
            .copied()
    }

    /// A month (and day) at `pos`: `pos` is where the month numeral starts. Returns a
    /// `month` or `date` figure starting at `pos`, and records the month in `ctx`.
    fn month_day(&self, text: &str, pos: usize, y: i32, ctx: &mut Ctx) -> Option<Figure> {
        let (mo, e) = read_small(text, pos)?;
        if !(1..=12).contains(&mo) || !text[e..].starts_with('月') {
            return None;
        }
        let me = e + '月'.len_utf8();
        ctx.last_month = Some((y, mo));
        if let Some((d, de)) = read_small(text, me) {
            let rest = &text[de..];
            if (1..=31).contains(&d)
                && (rest.starts_with('日') || rest.starts_with('号'))
                && !rest.starts_with("日元")
            {
                return Some(Figure {
                    start: pos,
                    end: de + '日'.len_utf8(),
                    value: date_value(y, mo, d),
                    unit: "date",
                });
            }
        }
        Some(Figure {
            start: pos,
            end: me,
            value: month_value(y, mo),
            unit: "month",
        })
    }

    fn scan_en(&self, text: &str, year: Option<i32>, out: &mut Vec<Figure>) {
        let g = &self.g;
        let y0 = year.unwrap_or(0);
        let mut locs = self.en.capture_locations();
        let mut pos = 0;
        let span = |locs: &CaptureLocations, i: usize| locs.get(i);
        let month_of = |s: &str| -> u32 {
            let s = s.trim_end_matches('.');
            MONTHS_EN
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(s))
                .map(|&(_, m)| m)
                .unwrap_or(0)
        };
        let num = |a: usize, b: usize| parse_ar(&text[a..b]);
        while pos < text.len() {
            let Some(m) = self.en.captures_read_at(&mut locs, text, pos) else {
                break;
            };
            pos = m.end().max(m.start() + 1);
            pos = ceil_boundary(text, pos);
            if let Some((s, e)) = span(&locs, g.dmy) {
                let (d1s, d1e) = span(&locs, g.d1).unwrap();
                let (ms, me) = span(&locs, g.mo1).unwrap();
                let mo = month_of(&text[ms..me]);
                let y = span(&locs, g.y1).map_or(y0, |(a, b)| num(a, b) as i32);
                let d1 = num(d1s, d1e) as u32;
                if !(1..=31).contains(&d1) {
                    continue;
                }
                if let Some((d2s, d2e)) = span(&locs, g.d2) {
                    let d2 = num(d2s, d2e) as u32;
                    out.push(Figure {
                        start: s,
                        end: d1e,
                        value: date_value(y, mo, d1),
                        unit: "date",
                    });
                    if (1..=31).contains(&d2) {
                        out.push(Figure {
                            start: d2s,
                            end: e,
                            value: date_value(y, mo, d2),
                            unit: "date",
                        });
                    }
                } else {
                    out.push(Figure {
                        start: s,
                        end: e,
                        value: date_value(y, mo, d1),
                        unit: "date",
                    });
                }
            } else if let Some((s, e)) = span(&locs, g.mdy) {
                let (ms, me) = span(&locs, g.mo2).unwrap();
                let mo = month_of(&text[ms..me]);
                let (ds, de) = span(&locs, g.d3).unwrap();
                let d = num(ds, de) as u32;
                let y = span(&locs, g.y2).map_or(y0, |(a, b)| num(a, b) as i32);
                if (1..=31).contains(&d) {
                    out.push(Figure {
                        start: s,
                        end: e,
                        value: date_value(y, mo, d),
                        unit: "date",
                    });
                }
            } else if let Some((s, e)) = span(&locs, g.my) {
                let (ms, me) = span(&locs, g.mo3).unwrap();
                let (ys, ye) = span(&locs, g.y3).unwrap();
                let mo = month_of(&text[ms..me]);
                out.push(Figure {
                    start: s,
                    end: e,
                    value: month_value(num(ys, ye) as i32, mo),
                    unit: "month",
                });
            } else if let Some((cs, ce)) = span(&locs, g.cur) {
                let (as_, ae) = span(&locs, g.amt).unwrap();
                let mut v = num(as_, ae);
                let mut end = ae;
                if let Some((ms, me)) = span(&locs, g.amul) {
                    v *= match &text[ms..me] {
                        "million" | "mn" => 1e6,
                        "billion" | "bn" => 1e9,
                        _ => 1e12,
                    };
                    end = me;
                }
                let unit = match &text[cs..ce] {
                    "US$" | "$" | "USD" => "USD",
                    "S$" | "SGD" => "SGD",
                    "A$" => "AUD",
                    "HK$" => "HKD",
                    "NZ$" => "NZD",
                    "C$" => "CAD",
                    "€" | "EUR" => "EUR",
                    "£" | "GBP" => "GBP",
                    "JPY" => "JPY",
                    "RMB" | "CNY" => "CNY",
                    _ => "MYR",
                };
                out.push(Figure {
                    start: cs,
                    end,
                    value: v,
                    unit,
                });
            } else if let Some((as_, ae)) = span(&locs, g.amt2) {
                let mut v = num(as_, ae);
                if let Some((ms, me)) = span(&locs, g.amul2) {
                    v *= match &text[ms..me] {
                        "million" => 1e6,
                        "billion" => 1e9,
                        _ => 1e12,
                    };
                }
                let (cs, ce) = span(&locs, g.ccy2).unwrap();
                let unit = match &text[cs..ce] {
                    "yuan" => "CNY",
                    "euros" => "EUR",
                    "rupees" => "INR",
                    "ringgit" => "MYR",
                    _ => "USD",
                };
                out.push(Figure {
                    start: as_,
                    end: ce,
                    value: v,
                    unit,
                });
            } else if let Some((ps, pe)) = span(&locs, g.pc) {
                out.push(Figure {
                    start: ps,
                    end: m.end(),
                    value: num(ps, pe),
                    unit: "percent",
                });
            } else if let Some((s, e)) = span(&locs, g.ann) {
                out.push(Figure {
                    start: s,
                    end: m.end(),
                    value: num(s, e),
                    unit: "anniversary",
                });
            } else if let Some((s, e)) = span(&locs, g.mul) {
                out.push(Figure {
                    start: s,
                    end: m.end(),
                    value: num(s, e),
                    unit: "multiple",
                });
            } else if let Some((s, e)) = span(&locs, g.dur) {
                let (us, ue) = span(&locs, g.dunit).unwrap();
                let f = match text[us..ue].trim_end_matches('s') {
                    "year" => 1.0,
                    "month" => 1.0 / 12.0,
                    "week" => 7.0 / 365.0,
                    "day" => 1.0 / 365.0,
                    _ => 10.0,
                };
                out.push(Figure {
                    start: s,
                    end: ue,
                    value: num(s, e) * f,
                    unit: "duration",
                });
            } else if let Some((s, e)) = span(&locs, g.dec) {
                out.push(Figure {
                    start: s,
                    end: e + 1,
                    value: num(s, e),
                    unit: "decade",
                });
            } else if let Some((s, e)) = span(&locs, g.yr) {
                out.push(Figure {
                    start: s,
                    end: e,
                    value: num(s, e),
                    unit: "year",
                });
            } else if let Some((s, _)) = span(&locs, g.cnt) {
                let (ws, we) = span(&locs, g.noun).unwrap();
                let w = &text[ws..we];
                // not a code (COVID-19 cases, G20 members) and a noun
                let code = prev_char(text, s)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
                if !code && !EN_NOT_NOUNS.contains(&w) {
                    let (cs, ce) = span(&locs, g.cnt).unwrap();
                    out.push(Figure {
                        start: s,
                        end: we,
                        value: num(cs, ce),
                        unit: "count",
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    /// (text, year, expected [(span text, value, unit)])
    type Case = (
        &'static str,
        Option<i32>,
        &'static [(&'static str, f64, &'static str)],
    );

    /// Sentences from the corpus (the first block from the seed document), with the
    /// document's year.
    #[rustfmt::skip]
    const CASES: &[Case] = &[
        ("去年，双方贸易额达到创纪录的2400亿美元，提前完成2000亿美元的目标。", Some(2024), &[("2400亿美元", 240000000000.0, "USD"), ("2000亿美元", 200000000000.0, "USD")]),
        ("3月7日，十四届全国人大二次会议在梅地亚中心举行记者会。", Some(2024), &[("3月7日", 20240307.0, "date")]),
        ("一年来，习近平主席主持两大主场外交，出席三场多边峰会，开展四次重要出访，举行百余场会见、通话。", Some(2024), &[("两大", 2.0, "count"), ("三场", 3.0, "count"), ("四次", 4.0, "count"), ("百余场", 100.0, "count")]),
        ("中国已经同数十个国家和地区、在多个领域构建了不同形式的命运共同体。", Some(2024), &[("数十个", 10.0, "count")]),
        ("去年11月，中美元首在旧金山举行会晤。", Some(2024), &[("去年11月", 202311.0, "month")]),
        ("这既是对中美关系半个多世纪经验教训的总结。", Some(2024), &[("半个多世纪", 50.0, "duration")]),
        ("理念以来，春华秋实，十载有成。", Some(2024), &[("十载", 10.0, "duration")]),
        ("今年是中美建交45周年。", Some(2024), &[("45周年", 45.0, "anniversary")]),
        ("成功举办第三届“一带一路”国际合作高峰论坛。", Some(2024), &[]),
        ("路透社记者：根据近期的一项研究，中国在2008至2021年间花费2400亿美元救助22个发展中国家。", Some(2021), &[("2008", 2008.0, "year"), ("2021年", 2021.0, "year"), ("2400亿美元", 240000000000.0, "USD"), ("22个", 22.0, "count")]),
        ("进出口总额达到14.76万亿元人民币，规模创历史新高。", Some(2022), &[("14.76万亿元人民币", 14760000000000.0, "CNY")]),
        ("中欧贸易额在今年1-9月达到4255亿欧元，超过欧美的4125亿欧元。", Some(2022), &[("今年1", 202201.0, "month"), ("9月", 202209.0, "month"), ("4255亿欧元", 425500000000.0, "EUR"), ("4125亿欧元", 412500000000.0, "EUR")]),
        ("比如，六分之一的欧洲民众及五分之一的北美民众已接种疫苗，而非洲仅有百分之一，这令人无法接受。", Some(2021), &[("六分之一", 16.666666666666668, "percent"), ("五分之一", 20.0, "percent"), ("百分之一", 1.0, "percent")]),
        ("2021年中国民众对政府信任度高达91%，同比上升9个百分点，蝉联全球第一。", Some(2022), &[("2021年", 2021.0, "year"), ("91%", 91.0, "percent"), ("9个百分点", 9.0, "percent")]),
        ("初步结果显示投票率超过30%法律门槛，此次公投有效，其中近八成选民投票赞成。", Some(2022), &[("30%", 30.0, "percent"), ("八成", 80.0, "percent")]),
        ("可再生能源装机占全球三分之一以上，突破10亿千瓦。", Some(2022), &[("三分之一", 33.333333333333336, "percent"), ("10亿千瓦", 1000000000.0, "count")]),
        ("但实际是其将改造中央空调的花费夸大了1000倍。", Some(2021), &[("1000倍", 1000.0, "multiple")]),
        ("2024年3月20日外交部发言人林剑主持例行记者会", Some(2024), &[("2024年3月20日", 20240320.0, "date")]),
        ("多米尼克总理罗斯福·斯凯里特将于3月23日至29日对中国进行正式访问。", Some(2024), &[("3月23日", 20240323.0, "date"), ("29日", 20240329.0, "date")]),
        ("习近平主席今年4月对柬埔寨进行历史性国事访问，取得丰硕成果。", Some(2023), &[("今年4月", 202304.0, "month")]),
        ("2021年6月，中国举办亚太经合组织数字减贫研讨会。", Some(2022), &[("2021年6月", 202106.0, "month")]),
        ("我们注意到习近平主席发表的二〇二二年新年贺词受到国际社会高度关注。", Some(2022), &[("二〇二二年", 2022.0, "year")]),
        ("2020年至2021年，美国的持枪杀人案数量增长了8%以上，达到上世纪90年代初以来的新高。", Some(2022), &[("2020年", 2020.0, "year"), ("2021年", 2021.0, "year"), ("8%", 8.0, "percent"), ("90年代", 1990.0, "decade")]),
        ("中美达成并发布了《中美关于在21世纪20年代强化气候行动的格拉斯哥联合宣言》。", Some(2021), &[("20年代", 2020.0, "decade")]),
        ("欢迎两国气候特使近期开展的积极讨论，包括：2020年代国内减排行动。", Some(2023), &[("2020年代", 2020.0, "decade")]),
        ("半个世纪以来，刚中友好合作经受住了时间考验。", Some(2023), &[("半个世纪", 50.0, "duration")]),
        ("对第十次会议召开6年来中国伊协所做工作给予充分肯定。", Some(2023), &[("6年", 6.0, "duration")]),
        ("由于美国的否决，巴勒斯坦人民几十年的梦想被无情击碎。", Some(2023), &[("几十年", 10.0, "duration")]),
        ("前两个月，班列开行2928列，发送货物31.7万标箱，同比分别增长9%。", Some(2023), &[("两个月", 0.16666666666666666, "duration"), ("2928列", 2928.0, "count"), ("31.7万标箱", 317000.0, "count"), ("9%", 9.0, "percent")]),
        ("今年是中国人民抗日战争暨世界反法西斯战争胜利80周年。", Some(2025), &[("80周年", 80.0, "anniversary")]),
        ("已有来自22个阿拉伯国家的百余名艺术家参加了“艺汇丝路”访华采风活动。", Some(2024), &[("22个", 22.0, "count"), ("百余名", 100.0, "count")]),
        ("禁止美国实体投资数十家中国企业。", Some(2023), &[("数十家", 10.0, "count")]),
        ("2018年12月以来，包括外国驻华使节、媒体记者在内的100多个国家的1200多人来疆参访。", Some(2021), &[("2018年12月", 201812.0, "month"), ("100多个", 100.0, "count"), ("1200多人", 1200.0, "count")]),
        ("以不足全球9％的耕地生产出约占世界1/4的粮食，解决了14亿人的吃饭问题。", Some(2022), &[("9％", 9.0, "percent"), ("1/4", 25.0, "percent"), ("14亿人", 1400000000.0, "count")]),
        ("19日，香港特区立法会全票通过《维护国家安全条例》，美国、英国、日本、欧盟等对此说三道四。", Some(2024), &[("19日", 19.0, "day")]),
        ("把国际社会分为三六九等，在世界上制造分裂。", Some(2022), &[]),
        ("也让越来越多的欧洲产品走进中国千家万户。", Some(2023), &[]),
        ("以实际行动迎接党的二十大胜利召开。", Some(2022), &[]),
        ("英国外交大臣拉布在联合国人权理事会第46届会议高级别会议上谴责中国人权纪录。", Some(2021), &[]),
        ("日前，安理会通过关于巴以问题的第2712号决议。", Some(2023), &[]),
        ("On top of that, the COVID-19 pandemic was another stark reminder.", Some(2021), &[]),
        ("习近平祝贺印尼成功举办二十国集团领导人峰会。", Some(2022), &[]),
        ("鉴于两岸的紧张局势不断升级，两国关系和两党交往受到影响。", Some(2022), &[]),
        ("中方愿同毛方推进共建“一带一路”合作，坚持一个中国原则，同中方一道努力。", Some(2024), &[]),
        ("Wanchao, the People's Republic of China, 26 March 2024", Some(2024), &[("26 March 2024", 20240326.0, "date")]),
        ("Singapore ranked first in the World Bank’s Logistics Performance Index in 2023.", Some(2024), &[("2023", 2023.0, "year")]),
        ("Trade reached S$24.9 billion in 2021, a year-on-year increase of 17.2 per cent.", Some(2022), &[("S$24.9 billion", 24900000000.0, "SGD"), ("2021", 2021.0, "year"), ("17.2 per cent", 17.2, "percent")]),
        ("Deputy President of South Africa Paul Mashatile, 10 to 12 December 2023", Some(2023), &[("10", 20231210.0, "date"), ("12 December 2023", 20231212.0, "date")]),
        ("They noted that this year marked the 30th anniversary of the Suzhou Industrial Park.", Some(2024), &[("30th anniversary", 30.0, "anniversary")]),
        ("去年，我和普京总统商定2024－2025年举办“中俄文化年”。", Some(2024), &[("2024", 2024.0, "year"), ("2025年", 2025.0, "year")]),
        ("富裕国家订购的疫苗数量是其人口的两三倍。", Some(2021), &[("两三倍", 2.0, "multiple")]),
        ("汪洋20日在京会见中国伊斯兰教协会新一届领导班子成员。", Some(2024), &[("20日", 20.0, "day")]),
        ("中方将于3月7日举办活动，7日晚举行招待会。", None, &[("3月7日", 307.0, "date"), ("7日", 307.0, "date")]),
        ("当地时间2019年2月16日，德国总理默克尔在慕尼黑会见杨洁篪。17日，杨洁篪出席会议。", Some(2019), &[("2019年2月16日", 20190216.0, "date"), ("17日", 20190217.0, "date")]),
        ("2018年12月以来，已有来自100多个国家的2000多人次参访。", Some(2023), &[("2018年12月", 201812.0, "month"), ("100多个", 100.0, "count"), ("2000多人次", 2000.0, "count")]),
        ("这是百分之百滥用武力。", Some(2020), &[("百分之百", 100.0, "percent")]),
        ("美国在阿富汗驻扎了20年，花费超过2万亿美元，造成近10万名平民死伤。", Some(2021), &[("20年", 20.0, "duration"), ("2万亿美元", 2000000000000.0, "USD"), ("10万名", 100000.0, "count")]),
        ("中国7.7亿农村贫困人口摆脱贫困，其中约3200万人摆脱中度贫困。", Some(2022), &[("7.7亿", 770000000.0, "count"), ("3200万人", 32000000.0, "count")]),
        ("中国新疆有2.44万座清真寺。", Some(2023), &[("2.44万座", 24400.0, "count")]),
        ("中方愿同有关各方一道，推动两国关系在新的一年取得新的更大发展。", Some(2024), &[]),
        ("天安门广场鸣放21响礼炮。", Some(2023), &[("21响", 21.0, "count")]),
        ("在过去30多年间，美国对外发动或参与了多场战争。", Some(2021), &[("30多年", 30.0, "duration")]),
        ("中方已向150多个国家和国际组织提供了抗疫援助，向34个国家派出36支医疗专家组。", Some(2020), &[("150多个", 150.0, "count"), ("34个", 34.0, "count"), ("36支", 36.0, "count")]),
        ("从1949年到2019年，70年来中国发生了翻天覆地的变化。", Some(2022), &[("1949年", 1949.0, "year"), ("2019年", 2019.0, "year"), ("70年", 70.0, "duration")]),
        ("英国广播公司记者：美方三番五次在台湾问题上挑衅。", Some(2023), &[]),
        ("在建国后近百年时间里，通过屠杀和驱逐印第安人。", Some(2021), &[("百年", 100.0, "duration")]),
        ("德国电视二台记者：中欧关系近来出现了一些变化。", Some(2022), &[]),
        ("中方高度赞赏哈方一贯支持一中原则，始终同中方站在一起。", Some(2023), &[]),
        ("十四亿中国人民坚定支持政府的立场。", Some(2021), &[("十四亿", 1400000000.0, "count")]),
        ("截至2021财年，美国已生效的制裁措施累计9421项。", Some(2022), &[("2021财年", 2021.0, "year"), ("9421项", 9421.0, "count")]),
        ("双方商定于明年3月举行第二轮磋商，5年后再评估。", Some(2024), &[("明年3月", 202503.0, "month"), ("5年", 5.0, "duration")]),
        ("中国经济规模达到114.4万亿元，按年均汇率折算为17.7万亿美元。", Some(2024), &[("114.4万亿元", 114400000000000.0, "CNY"), ("17.7万亿美元", 17700000000000.0, "USD")]),
        ("中国将于二〇二三年十月十八日举办第三届“一带一路”国际合作高峰论坛。", Some(2023), &[("二〇二三年十月十八日", 20231018.0, "date")]),
        ("日方２０２３年８月２４日启动排海。", Some(2024), &[("２０２３年８月２４日", 20230824.0, "date")]),
        ("Bilateral trade grew more than 20 times to $10 million since the 1990s.", Some(2023), &[("20 times", 20.0, "multiple"), ("$10 million", 10000000.0, "USD"), ("1990s", 1990.0, "decade")]),
        ("President Xi visited in March 2023 and again on March 7, 2024, after 50 years of ties.", Some(2024), &[("March 2023", 202303.0, "month"), ("March 7, 2024", 20240307.0, "date"), ("50 years", 50.0, "duration")]),
        ("中国对美出口增长7倍，两国人员往来从每年几千人次增加到500多万人次。", Some(2022), &[("7倍", 7.0, "multiple"), ("几千人次", 1000.0, "count"), ("500多万人次", 5000000.0, "count")]),
        ("中方向加沙提供了价值一亿元人民币的紧急人道主义援助。", Some(2024), &[("一亿元人民币", 100000000.0, "CNY")]),
        ("中方已向120多个国家和国际组织提供了22亿剂疫苗。", Some(2023), &[("120多个", 120.0, "count"), ("22亿剂", 2200000000.0, "count")]),
        ("全球新冠确诊病例累计超过1.9亿例，死亡病例超过400万例。", Some(2021), &[("1.9亿例", 190000000.0, "count"), ("400万例", 4000000.0, "count")]),
        ("中国同东盟贸易额增长了百分之三点五。", Some(2022), &[("百分之三点五", 3.5, "percent")]),
        ("双方同意在未来三到五年内将贸易额提升至两千亿美元。", Some(2024), &[("三", 3.0, "duration"), ("五年", 5.0, "duration"), ("两千亿美元", 200000000000.0, "USD")]),
        ("今年1至10月，中国对非洲进出口额为2.4万亿元人民币，同比增长7.3%。", Some(2023), &[("今年1", 202301.0, "month"), ("10月", 202310.0, "month"), ("2.4万亿元人民币", 2400000000000.0, "CNY"), ("7.3%", 7.3, "percent")]),
        ("中方同意免除部分对埃约75亿至80亿美元的债务", Some(2016), &[("75亿", 7500000000.0, "USD"), ("80亿美元", 8000000000.0, "USD")]),
        ("中欧贸易额在今年1-9月达到4255亿欧元", Some(2022), &[("今年1", 202201.0, "month"), ("9月", 202209.0, "month"), ("4255亿欧元", 425500000000.0, "EUR")]),
        ("这个问题已经讨论了一百零五次。", Some(2023), &[("一百零五次", 105.0, "count")]),
        ("人类社会正处在十字路口，中方愿同各方千方百计推动停火，这是万一之策。", Some(2024), &[]),
        ("中方十分重视中欧关系，中国老百姓对此看得十分清楚。", Some(2022), &[]),
    ];

    fn run(f: &FigureFinder, text: &str, year: Option<i32>) -> Vec<(String, f64, &'static str)> {
        f.find(text, year)
            .into_iter()
            .map(|g| (text[g.start..g.end].to_string(), g.value, g.unit))
            .collect()
    }

    #[test]
    fn table() {
        assert_send_sync::<FigureFinder>();
        let f = FigureFinder::new();
        let mut bad = 0;
        for (text, year, want) in CASES {
            let got = run(&f, text, *year);
            let ok = got.len() == want.len()
                && got.iter().zip(want.iter()).all(|(g, w)| {
                    g.0 == w.0 && (g.1 - w.1).abs() < 1e-6 * w.1.abs().max(1.0) && g.2 == w.2
                });
            if !ok {
                bad += 1;
                eprintln!("{text}\n  want {want:?}\n  got  {got:?}");
            }
        }
        assert_eq!(bad, 0, "{bad} cases failed");
    }

    #[test]
    fn chinese_numerals() {
        let v = |s: &str| parse_cn(s).map(|c| c.value);
        assert_eq!(v("二十一"), Some(21.0));
        assert_eq!(v("一百零五"), Some(105.0));
        assert_eq!(v("两千"), Some(2000.0));
        assert_eq!(v("三十万"), Some(300000.0));
        assert_eq!(v("一亿三千万"), Some(130000000.0));
        assert_eq!(v("十万亿"), Some(1e13));
        assert_eq!(v("三点五"), Some(3.5));
        assert_eq!(v("二〇二四"), Some(2024.0));
        assert!(parse_cn("二〇二四").unwrap().digit_seq);
        assert!(parse_cn("两三").unwrap().approx);
        assert_eq!(v("三四十"), Some(30.0));
        assert_eq!(v("十四五"), None);
        assert_eq!(v("三六九"), Some(369.0)); // digits one by one: only ever a year
        assert!(parse_cn("三六九").unwrap().digit_seq);
        assert_eq!(v("十百"), None);
        assert_eq!(parse_ar("1,200.5"), 1200.5);
        assert_eq!(parse_ar("２０２４"), 2024.0);
    }

    #[test]
    fn no_year_and_ordering() {
        let f = FigureFinder::new();
        // no document year: an implied year is the last explicit one, else 0
        let got = run(
            &f,
            "11月，双方会晤。2023年3月7日签署协议，5月再谈。去年11月",
            None,
        );
        assert_eq!(
            got,
            vec![
                ("11月".to_string(), 11.0, "month"),
                ("2023年3月7日".to_string(), 20230307.0, "date"),
                ("5月".to_string(), 202305.0, "month"),
                ("去年11月".to_string(), 11.0, "month"),
            ]
        );
        // in order and non-overlapping on a longer mixed text
        let text: String = CASES.iter().map(|c| c.0).collect::<Vec<_>>().join("\n");
        let figs = f.find(&text, Some(2024));
        assert!(figs.windows(2).all(|w| w[0].end <= w[1].start));
        assert!(figs.iter().all(|g| g.start < g.end
            && text.is_char_boundary(g.start)
            && text.is_char_boundary(g.end)));
    }
}
