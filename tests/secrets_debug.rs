//! The client secret never shows in `Debug` output of the app state (which is what ends up in a
//! log line or a panic message): not in the profile form, not at the secret prompt.

mod common;

use common::{demo_profiles, model_with, press, profile, type_text};
use sfterm::config::profiles::SecretSource;

#[test]
fn profile_form_debug_masks_a_plain_secret() {
    let mut model = model_with(demo_profiles());
    press(&mut model, "e");
    let dump = format!("{model:?}");
    assert!(dump.contains("ProfileForm"), "{dump}");
    assert!(!dump.contains("s3cr3t-value"), "{dump}");
}

#[test]
fn secret_typed_in_the_new_profile_form_is_masked() {
    let mut model = model_with(demo_profiles());
    press(&mut model, "n");
    // Name, environment, URL, client id, secret source (cycle to plain), secret value.
    type_text(&mut model, "New");
    press(&mut model, "tab");
    press(&mut model, "tab");
    type_text(&mut model, "https://acme.my.salesforce.com");
    press(&mut model, "tab");
    type_text(&mut model, "3MVG");
    press(&mut model, "tab right right right tab");
    type_text(&mut model, "typed-plain-secret");
    let dump = format!("{model:?}");
    assert!(!dump.contains("typed-plain-secret"), "{dump}");
}

#[test]
fn secret_prompt_debug_masks_the_typed_secret() {
    let mut p = profile("Prompted", "https://acme.my.salesforce.com");
    p.secret = SecretSource::Prompt;
    let mut model = model_with(vec![p]);
    press(&mut model, "enter");
    type_text(&mut model, "typed-at-prompt");
    let dump = format!("{model:?}");
    assert!(dump.contains("SecretPrompt"), "{dump}");
    assert!(!dump.contains("typed-at-prompt"), "{dump}");
}
