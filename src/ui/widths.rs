//! Sharing a line's width between columns, fairly, and cutting text to a width. Widths are
//! terminal columns (a wide CJK character takes two), never `char`s.
//!
//! The rule ([`share`]): every column first gets what it wants (its content and header, capped);
//! spare width then goes, evenly, to the columns the cap cut, up to their whole content; when
//! even the wanted widths do not fit, the widest columns give up a character at a time (down to
//! their floor) so that no column stays wide while another is cut.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Terminal columns `text` takes.
pub fn display_width(text: &str) -> usize {
    text.width()
}

/// `text` in exactly `width` terminal columns: padded with spaces, or cut with "…".
pub fn fit(text: &str, width: usize) -> String {
    let w = display_width(text);
    if w <= width {
        let mut out = String::with_capacity(text.len() + width - w);
        out.push_str(text);
        out.extend(std::iter::repeat_n(' ', width - w));
        return out;
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > width - 1 {
            break;
        }
        used += cw;
        out.push(c);
    }
    out.push('…');
    // A wide character that did not fit leaves a gap.
    out.extend(std::iter::repeat_n(' ', width - 1 - used));
    out
}

/// What one column asks for, in terminal columns: `min` <= `want` <= `full`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Want {
    /// The narrowest it is squeezed to while the others can still give (a datetime: whole).
    pub min: usize,
    /// The narrowest when even every `min` does not fit (a datetime: its date).
    pub squeezed: usize,
    /// What it gets when there is room: its content and header, capped.
    pub want: usize,
    /// Its whole content and header: what it grows to with spare width.
    pub full: usize,
}

/// The widths of columns sharing `available` terminal columns (separators already taken off).
/// Deterministic, and it depends only on the wants: the same wants give the same widths.
pub fn share(wants: &[Want], available: usize) -> Vec<usize> {
    let min: Vec<usize> = wants.iter().map(|w| w.min.min(w.want)).collect();
    let squeezed: Vec<usize> = wants.iter().map(|w| w.squeezed.min(w.want)).collect();
    let want: Vec<usize> = wants.iter().map(|w| w.want).collect();
    let full: Vec<usize> = wants.iter().map(|w| w.full.max(w.want)).collect();
    if let Some(widths) = level(&want, &full, available) {
        return widths;
    }
    for floor in [&min, &squeezed] {
        if let Some(widths) = level(floor, &want, available) {
            return widths;
        }
    }
    // Not even the narrowest fit: the columns on the right get what is left (maybe nothing).
    let mut left = available;
    squeezed
        .into_iter()
        .map(|w| {
            let w = w.min(left);
            left -= w;
            w
        })
        .collect()
}

/// Each column between `lo` and `hi`, levelled: the largest level `L` such that every column
/// at `L` clamped to its bounds fits in `available`, then the leftover one column each to the
/// leftmost columns that can still grow. `None` when even `lo` does not fit.
fn level(lo: &[usize], hi: &[usize], available: usize) -> Option<Vec<usize>> {
    let at = |l: usize| -> Vec<usize> {
        lo.iter()
            .zip(hi)
            .map(|(&lo, &hi)| l.max(lo).min(hi.max(lo)))
            .collect()
    };
    let sum = |l: usize| -> usize { at(l).iter().sum() };
    if sum(0) > available {
        return None;
    }
    let (mut low, mut high) = (0, hi.iter().copied().max().unwrap_or(0));
    while low < high {
        let mid = (low + high).div_ceil(2);
        if sum(mid) <= available {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    let mut widths = at(low);
    let mut spare = available - widths.iter().sum::<usize>();
    for (w, &hi) in widths.iter_mut().zip(hi) {
        if spare == 0 {
            break;
        }
        if *w == low && hi > low {
            *w += 1;
            spare -= 1;
        }
    }
    Some(widths)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want(min: usize, want: usize, full: usize) -> Want {
        Want {
            min,
            squeezed: min.min(10),
            want,
            full,
        }
    }

    #[test]
    fn fit_pads_and_cuts_by_terminal_columns() {
        assert_eq!(fit("Acme", 6), "Acme  ");
        assert_eq!(fit("Acme Corp", 6), "Acme …");
        assert_eq!(fit("東京商事", 8), "東京商事");
        assert_eq!(fit("東京商事", 6), "東京… ");
        assert_eq!(display_width(&fit("東京商事株式会社", 7)), 7);
        assert_eq!(fit("Acme", 0), "");
    }

    #[test]
    fn spare_width_goes_evenly_to_the_columns_the_cap_cut() {
        // Both fit at their want; 20 spare: the two capped columns grow evenly.
        let widths = share(&[want(6, 10, 10), want(6, 28, 60), want(6, 28, 40)], 86);
        assert_eq!(widths, vec![10, 38, 38]);
        // More spare than the content needs: no column grows past its whole content.
        let widths = share(&[want(6, 10, 10), want(6, 28, 30), want(6, 12, 12)], 100);
        assert_eq!(widths, vec![10, 30, 12]);
    }

    #[test]
    fn too_narrow_the_widest_give_way_first() {
        // 60 wanted, 50 available: the 28-wide column comes down to the level of the others
        // first, and nobody is cut while another column keeps spare.
        let widths = share(&[want(6, 16, 16), want(6, 28, 28), want(6, 16, 16)], 50);
        assert_eq!(widths.iter().sum::<usize>(), 50);
        assert_eq!(widths, vec![16, 18, 16]);
        let widths = share(&[want(6, 16, 16), want(6, 28, 28), want(6, 16, 16)], 40);
        assert_eq!(widths, vec![14, 13, 13]);
    }

    #[test]
    fn a_datetime_stays_whole_until_the_others_are_at_their_minimum_then_keeps_its_date() {
        let datetime = want(16, 16, 16);
        let widths = share(&[want(6, 20, 20), datetime], 25);
        assert_eq!(widths, vec![9, 16]);
        let widths = share(&[want(6, 20, 20), datetime], 17);
        assert_eq!(widths, vec![7, 10]);
        // Nothing fits: the right gets what is left.
        let widths = share(&[want(6, 20, 20), datetime], 12);
        assert_eq!(widths, vec![6, 6]);
        assert_eq!(share(&[want(6, 20, 20), datetime], 4), vec![4, 0]);
    }
}
