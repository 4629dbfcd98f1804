//! The one fuzzy matcher of the lists that filter as you type (the command palette, the
//! History filter): nucleo's, ignoring case, best match first, with the positions of the
//! matched characters so the lists can highlight them.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// An item that matched, and which characters of its text did (char indices, ascending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit<T> {
    pub item: T,
    pub positions: Vec<usize>,
}

/// The items whose text matches `query`, best first (equal scores keep their order). An
/// empty query matches every item, in order, with nothing highlighted.
pub fn filter<T>(query: &str, items: impl IntoIterator<Item = (T, String)>) -> Vec<Hit<T>> {
    if query.trim().is_empty() {
        return items
            .into_iter()
            .map(|(item, _)| Hit {
                item,
                positions: Vec::new(),
            })
            .collect();
    }
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, Hit<T>)> = items
        .into_iter()
        .filter_map(|(item, text)| {
            let mut positions = Vec::new();
            let score =
                pattern.indices(Utf32Str::new(&text, &mut buf), &mut matcher, &mut positions)?;
            positions.sort_unstable();
            positions.dedup();
            let positions = positions.into_iter().map(|p| p as usize).collect();
            Some((score, Hit { item, positions }))
        })
        .collect();
    scored.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    scored.into_iter().map(|(_, hit)| hit).collect()
}

/// Which characters of `text` match `query` (char indices, ascending; empty when it does not
/// match): to highlight the part of an item a list shows when its whole text was matched.
pub fn positions(query: &str, text: &str) -> Vec<usize> {
    filter(query, [((), text.to_owned())])
        .pop()
        .map(|hit| hit.positions)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(query: &str, texts: &[&str]) -> Vec<(String, Vec<usize>)> {
        filter(query, texts.iter().map(|t| (t.to_string(), t.to_string())))
            .into_iter()
            .map(|h| (h.item, h.positions))
            .collect()
    }

    #[test]
    fn matches_out_of_order_letters_ignoring_case_and_says_which() {
        let hits = names("lmt", &["GET /limits", "POST /sobjects/Account"]);
        assert_eq!(hits.len(), 1, "{hits:?}");
        let limits = hits
            .iter()
            .find(|(t, _)| t == "GET /limits")
            .expect("limits");
        let chars: String = limits
            .1
            .iter()
            .map(|&i| "GET /limits".chars().nth(i).expect("in range"))
            .collect();
        assert_eq!(chars.to_lowercase(), "lmt");
        assert!(names("zzq", &["GET /limits"]).is_empty());
        assert_eq!(positions("lim", "GET /limits"), [5, 6, 7]);
        assert!(positions("zzq", "GET /limits").is_empty());
    }

    #[test]
    fn the_best_match_comes_first() {
        let texts = ["/services/apexrest/CustomerRESTWS GET", "/limits POST"];
        assert_eq!(names("post", &texts).len(), 2);
        assert_eq!(names("post", &texts)[0].0, "/limits POST");
    }

    #[test]
    fn an_empty_query_keeps_everything_in_order() {
        assert_eq!(
            names(" ", &["b", "a"]),
            [("b".to_string(), vec![]), ("a".to_string(), vec![])]
        );
    }
}
