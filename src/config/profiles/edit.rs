//! Changing profiles in the `toml_edit` document so that the user's comments, key order and
//! unknown keys survive: add, replace, remove, duplicate.

use secrecy::ExposeSecret;
use toml_edit::{ArrayOfTables, InlineTable, Item, Table, Value, value};

use super::parse::parse_secret_table;
use super::{AuthStyle, DEFAULT_KEY, Flow, PROFILE_KEY, Profile, ProfileStore, SecretSource};
use crate::config::ConfigError;

impl ProfileStore {
    fn index_of(&self, name: &str) -> Option<usize> {
        self.profiles.iter().position(|p| p.name == name)
    }

    fn tables_mut(&mut self) -> Result<&mut ArrayOfTables, ConfigError> {
        let root = self.doc.as_table_mut();
        if !root.contains_key(PROFILE_KEY) {
            root.insert(PROFILE_KEY, Item::ArrayOfTables(ArrayOfTables::new()));
        }
        root.get_mut(PROFILE_KEY)
            .and_then(Item::as_array_of_tables_mut)
            .ok_or_else(|| ConfigError::Invalid {
                path: self.path.clone(),
                location: None,
                message: "\"profile\" must be a list of [[profile]] tables".to_owned(),
            })
    }

    /// Adds a profile (`original_name` = `None`) or replaces the profile called
    /// `original_name`, keeping its table's position, comments and unknown keys. Only changes
    /// memory; call [`ProfileStore::save`] to write the file.
    pub fn upsert(
        &mut self,
        original_name: Option<&str>,
        profile: Profile,
    ) -> Result<(), ConfigError> {
        if profile.name.trim().is_empty() {
            return Err(ConfigError::InvalidProfile(
                "the profile needs a name".to_owned(),
            ));
        }
        match original_name {
            None => {
                if self.index_of(&profile.name).is_some() {
                    return Err(ConfigError::NameTaken(profile.name));
                }
                let mut table = Table::new();
                write_profile(&mut table, &profile, true);
                self.tables_mut()?.push(table);
                self.profiles.push(profile);
            }
            Some(orig) => {
                let idx = self
                    .index_of(orig)
                    .ok_or_else(|| ConfigError::NoSuchProfile(orig.to_owned()))?;
                if profile.name != orig && self.index_of(&profile.name).is_some() {
                    return Err(ConfigError::NameTaken(profile.name));
                }
                let table = self
                    .tables_mut()?
                    .get_mut(idx)
                    .ok_or_else(|| ConfigError::NoSuchProfile(orig.to_owned()))?;
                write_profile(table, &profile, false);
                if self.default.as_deref() == Some(orig) {
                    self.default = Some(profile.name.clone());
                }
                self.profiles[idx] = profile;
            }
        }
        Ok(())
    }

    /// Removes the profile called `name` (with the comments attached to its table).
    pub fn remove(&mut self, name: &str) -> Result<(), ConfigError> {
        let idx = self
            .index_of(name)
            .ok_or_else(|| ConfigError::NoSuchProfile(name.to_owned()))?;
        let tables = self.tables_mut()?;
        if idx < tables.len() {
            tables.remove(idx);
        }
        self.profiles.remove(idx);
        if self.default.as_deref() == Some(name) {
            self.default = None;
        }
        Ok(())
    }

    /// Marks the profile called `name` as the default (`default = true`) and removes the mark
    /// from every other profile; `None` removes it everywhere. Comments and other keys stay.
    pub fn set_default(&mut self, name: Option<&str>) -> Result<(), ConfigError> {
        let idx = match name {
            Some(name) => Some(
                self.index_of(name)
                    .ok_or_else(|| ConfigError::NoSuchProfile(name.to_owned()))?,
            ),
            None => None,
        };
        if self.profiles.is_empty() {
            return Ok(());
        }
        for (i, table) in self.tables_mut()?.iter_mut().enumerate() {
            if Some(i) == idx {
                set_value(table, DEFAULT_KEY, true.into());
            } else {
                table.remove(DEFAULT_KEY);
            }
        }
        self.default = name.map(str::to_owned);
        Ok(())
    }

    /// Copies the profile called `name` (unknown keys included) under a new name, `"X (copy)"`,
    /// then `"X (copy 2)"`, ...; returns the new name.
    pub fn duplicate(&mut self, name: &str) -> Result<String, ConfigError> {
        let idx = self
            .index_of(name)
            .ok_or_else(|| ConfigError::NoSuchProfile(name.to_owned()))?;
        let mut new_name = format!("{name} (copy)");
        let mut n = 2;
        while self.index_of(&new_name).is_some() {
            new_name = format!("{name} (copy {n})");
            n += 1;
        }
        let mut profile = self.profiles[idx].clone();
        profile.name.clone_from(&new_name);
        let tables = self.tables_mut()?;
        let mut table = tables.get(idx).cloned().unwrap_or_default();
        // Comments above the original table (or its first key) describe the original.
        table.decor_mut().clear();
        for (mut key, _) in table.iter_mut() {
            key.leaf_decor_mut().clear();
        }
        table.set_position(None);
        // The copy is never a second default.
        table.remove(DEFAULT_KEY);
        write_profile(&mut table, &profile, false);
        tables.push(table);
        self.profiles.push(profile);
        Ok(new_name)
    }
}

/// Sets `table[key] = new`, keeping the old value's surrounding whitespace and comments; does
/// nothing when the value is unchanged.
fn set_value(table: &mut Table, key: &str, new: Value) {
    if let Some(old) = table.get_mut(key).and_then(Item::as_value_mut) {
        if same_value(old, &new) {
            return;
        }
        let decor = old.decor().clone();
        let mut new = new;
        *new.decor_mut() = decor;
        *old = new;
    } else {
        table.insert(key, value(new));
    }
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.value() == y.value(),
        (Value::Integer(x), Value::Integer(y)) => x.value() == y.value(),
        (Value::Boolean(x), Value::Boolean(y)) => x.value() == y.value(),
        (Value::InlineTable(x), Value::InlineTable(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => false,
    }
}

fn secret_item(secret: &SecretSource) -> InlineTable {
    let mut t = InlineTable::new();
    t.insert("source", secret.kind().into());
    match secret {
        SecretSource::Prompt | SecretSource::None => {}
        SecretSource::Env { var } => {
            t.insert("var", var.as_str().into());
        }
        SecretSource::Command { command } => {
            t.insert("command", command.as_str().into());
        }
        SecretSource::Plain { value } => {
            t.insert("value", value.expose_secret().into());
        }
    }
    t
}

fn set_or_remove(table: &mut Table, key: &str, new: Option<&str>) {
    match new {
        Some(v) => set_value(table, key, v.into()),
        None => {
            table.remove(key);
        }
    }
}

/// Writes `flow` and its keys, removing the keys of the other flows. Client credentials is
/// the default: no `flow` key is added for it unless the table has one.
fn write_flow(table: &mut Table, flow: &Flow) {
    if table.contains_key("flow") || *flow != Flow::ClientCredentials {
        set_value(table, "flow", flow.as_str().into());
    }
    let (port, username, key_file, audience, org) = match flow {
        Flow::ClientCredentials => (None, None, None, None, None),
        Flow::Web { callback_port } => (*callback_port, None, None, None, None),
        Flow::Jwt {
            username,
            key_file,
            audience,
        } => (
            None,
            Some(username.clone()),
            Some(key_file.to_string_lossy().into_owned()),
            audience.clone(),
            None,
        ),
        Flow::SfCli { org } => (None, None, None, None, Some(org.clone())),
    };
    match port {
        Some(port) => set_value(table, "callback_port", i64::from(port).into()),
        None => {
            table.remove("callback_port");
        }
    }
    set_or_remove(table, "username", username.as_deref());
    set_or_remove(table, "key_file", key_file.as_deref());
    set_or_remove(table, "audience", audience.as_deref());
    set_or_remove(table, "sf_org", org.as_deref());
}

/// Writes the profile's fields into `table`, keeping everything else.
fn write_profile(table: &mut Table, p: &Profile, fresh: bool) {
    set_value(table, "name", p.name.as_str().into());
    write_flow(table, &p.flow);
    set_or_remove(
        table,
        "endpoint",
        Some(p.endpoint.as_str()).filter(|e| !e.is_empty()),
    );
    set_or_remove(
        table,
        "client_id",
        Some(p.client_id.as_str()).filter(|c| !c.is_empty()),
    );
    let secret_unchanged = table
        .get("secret")
        .and_then(Item::as_table_like)
        .and_then(|t| parse_secret_table(t).ok())
        .is_some_and(|s| s == p.secret);
    // A flow without a secret: no `secret` key (its absence says so) unless the user wrote
    // one; client credentials without a key would mean the prompt.
    let absent_is_right = p.secret == SecretSource::None && p.flow != Flow::ClientCredentials;
    if secret_unchanged {
        // Kept as the user wrote it.
    } else if absent_is_right {
        table.remove("secret");
    } else {
        let new = secret_item(&p.secret);
        match table.get_mut("secret") {
            // A `[profile.secret]` sub-table stays one: rewrite its keys in place.
            Some(Item::Table(sub)) => {
                let stale: Vec<String> = sub
                    .iter()
                    .map(|(k, _)| k.to_owned())
                    .filter(|k| !new.contains_key(k))
                    .collect();
                for k in stale {
                    sub.remove(&k);
                }
                for (k, v) in new.iter() {
                    set_value(sub, k, v.clone());
                }
            }
            Some(Item::Value(_)) => set_value(table, "secret", Value::InlineTable(new)),
            _ => {
                table.remove("secret");
                table.insert("secret", value(new));
            }
        }
    }
    // "body" is the default: do not add the key to an existing table that relies on it, nor
    // to a new profile whose flow sends no client secret.
    if (fresh && p.needs_secret())
        || table.contains_key("auth_style")
        || p.auth_style != AuthStyle::Body
    {
        set_value(table, "auth_style", p.auth_style.as_str().into());
    }
    match &p.api_version {
        Some(v) => set_value(table, "api_version", v.as_str().into()),
        None => {
            table.remove("api_version");
        }
    }
    match &p.ca_file {
        Some(v) => set_value(table, "ca_file", v.to_string_lossy().as_ref().into()),
        None => {
            table.remove("ca_file");
        }
    }
    match p.renew_margin_secs {
        Some(v) => set_value(
            table,
            "renew_margin_secs",
            i64::try_from(v).unwrap_or(i64::MAX).into(),
        ),
        None => {
            table.remove("renew_margin_secs");
        }
    }
}
