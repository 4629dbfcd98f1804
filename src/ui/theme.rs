//! Colours. `NO_COLOR` (or `theme = "mono"`) turns every colour off; emphasis then uses bold,
//! reverse and dim only.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeKind {
    Dark,
    Light,
    Mono,
}

impl ThemeKind {
    /// From the `theme` setting; `NO_COLOR` wins.
    pub fn from_setting(name: &str, no_color: bool) -> ThemeKind {
        if no_color {
            return ThemeKind::Mono;
        }
        match name {
            "light" => ThemeKind::Light,
            "mono" | "none" => ThemeKind::Mono,
            _ => ThemeKind::Dark,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub kind: ThemeKind,
}

impl Default for Theme {
    fn default() -> Theme {
        Theme {
            kind: ThemeKind::Dark,
        }
    }
}

impl Theme {
    pub fn new(kind: ThemeKind) -> Theme {
        Theme { kind }
    }

    fn color(&self, color: Color) -> Style {
        match self.kind {
            ThemeKind::Mono => Style::default(),
            _ => Style::default().fg(color),
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        match (self.kind, focused) {
            (ThemeKind::Mono, true) => Style::default().add_modifier(Modifier::BOLD),
            (ThemeKind::Mono, false) => Style::default(),
            (_, true) => Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            (ThemeKind::Light, false) => Style::default().fg(Color::Gray),
            (_, false) => Style::default().fg(Color::DarkGray),
        }
    }

    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn dim(&self) -> Style {
        Style::default().add_modifier(Modifier::DIM)
    }

    pub fn label(&self) -> Style {
        match self.kind {
            ThemeKind::Mono => Style::default().add_modifier(Modifier::DIM),
            ThemeKind::Light => Style::default().fg(Color::DarkGray),
            ThemeKind::Dark => Style::default().fg(Color::Gray),
        }
    }

    pub fn ok(&self) -> Style {
        self.color(Color::Green).add_modifier(Modifier::BOLD)
    }

    pub fn warn(&self) -> Style {
        self.color(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn error(&self) -> Style {
        self.color(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn key(&self) -> Style {
        self.color(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The environment badge: PROD red, SANDBOX yellow, DEMO/MOCK blue, custom grey.
    pub fn badge(&self, badge: Badge) -> Style {
        let base = Style::default().add_modifier(Modifier::BOLD);
        if self.kind == ThemeKind::Mono {
            return base.add_modifier(Modifier::REVERSED);
        }
        let bg = match badge {
            Badge::Production => Color::Red,
            Badge::Sandbox => Color::Yellow,
            Badge::Demo | Badge::Mock => Color::Blue,
            Badge::Custom => Color::DarkGray,
        };
        base.bg(bg).fg(if badge == Badge::Sandbox {
            Color::Black
        } else {
            Color::White
        })
    }
}

/// Where a profile points, as the badge says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Badge {
    Production,
    Sandbox,
    Demo,
    Mock,
    Custom,
}

impl Badge {
    pub fn text(self) -> &'static str {
        match self {
            Badge::Production => "PROD",
            Badge::Sandbox => "SANDBOX",
            Badge::Demo => "DEMO",
            Badge::Mock => "MOCK",
            Badge::Custom => "CUSTOM",
        }
    }

    /// From a profile's endpoint. Loopback is the mock org (DEMO when running `sfterm demo`).
    pub fn of_endpoint(endpoint: &str, demo: bool) -> Badge {
        let host = url::Url::parse(endpoint.trim())
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .unwrap_or_else(|| endpoint.trim().to_ascii_lowercase());
        if host == "127.0.0.1" || host == "localhost" || host == "[::1]" || host.starts_with("127.")
        {
            if demo { Badge::Demo } else { Badge::Mock }
        } else if host == "test.salesforce.com" || host.contains(".sandbox.") || host.contains("--")
        {
            Badge::Sandbox
        } else if host.ends_with("salesforce.com") || host.ends_with("force.com") {
            Badge::Production
        } else {
            Badge::Custom
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badges_follow_the_endpoint() {
        assert_eq!(
            Badge::of_endpoint("https://login.salesforce.com", false),
            Badge::Production
        );
        assert_eq!(
            Badge::of_endpoint("https://acme.my.salesforce.com", false),
            Badge::Production
        );
        assert_eq!(
            Badge::of_endpoint("https://test.salesforce.com", false),
            Badge::Sandbox
        );
        assert_eq!(
            Badge::of_endpoint("https://acme--uat.sandbox.my.salesforce.com", false),
            Badge::Sandbox
        );
        assert_eq!(
            Badge::of_endpoint("http://127.0.0.1:8484", true),
            Badge::Demo
        );
        assert_eq!(
            Badge::of_endpoint("http://127.0.0.1:8484", false),
            Badge::Mock
        );
        assert_eq!(
            Badge::of_endpoint("https://proxy.example.com", false),
            Badge::Custom
        );
    }

    #[test]
    fn no_color_wins_over_the_setting() {
        assert_eq!(ThemeKind::from_setting("dark", true), ThemeKind::Mono);
        assert_eq!(ThemeKind::from_setting("light", false), ThemeKind::Light);
        assert_eq!(
            Theme::new(ThemeKind::Mono).error(),
            Style::default().add_modifier(Modifier::BOLD)
        );
    }
}
