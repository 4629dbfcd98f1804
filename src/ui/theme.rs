//! Colours. `NO_COLOR` (or `theme = "mono"`) turns every colour off; emphasis then uses bold,
//! reverse and dim only.

use ratatui::style::{Color, Modifier, Style};

use crate::config::Environment;

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
    pub fn badge(&self, environment: Environment) -> Style {
        let base = Style::default().add_modifier(Modifier::BOLD);
        if self.kind == ThemeKind::Mono {
            return base.add_modifier(Modifier::REVERSED);
        }
        let bg = match environment {
            Environment::Production => Color::Red,
            Environment::Sandbox => Color::Yellow,
            Environment::Developer | Environment::Scratch => Color::Green,
            Environment::Demo | Environment::Loopback => Color::Blue,
            Environment::Custom => Color::DarkGray,
        };
        base.bg(bg).fg(if environment == Environment::Sandbox {
            Color::Black
        } else {
            Color::White
        })
    }
}

/// The badge's text for an environment.
pub fn badge_text(environment: Environment) -> &'static str {
    match environment {
        Environment::Production => "PROD",
        Environment::Sandbox => "SANDBOX",
        Environment::Developer => "DEV",
        Environment::Scratch => "SCRATCH",
        Environment::Demo => "DEMO",
        Environment::Loopback => "MOCK",
        Environment::Custom => "CUSTOM",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
