//! `#[racezoo::test]`: runs a test body under the checker of the build's flavour and fails the test
//! with racezoo's whole report (verdict, stuck threads, replay handle, per-thread trace).
//!
//! Use it through `racezoo` (`#[racezoo::test]`), which re-exports it; this crate has no other API.

#![warn(missing_docs)]

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Item, ItemFn, Lit, Meta, Token};

/// The verdicts a test may expect (`racezoo::check::Verdict`'s variants).
const VERDICTS: [&str; 8] = [
    "Pass",
    "DataRace",
    "Violation",
    "Deadlock",
    "Leak",
    "Misuse",
    "Panic",
    "Hang",
];

/// The bounds a test may set, each a field of `racezoo::check::Config`.
const BOUNDS: [&str; 6] = [
    "preemptions",
    "max_executions",
    "iterations",
    "depth",
    "seed",
    "runs",
];

/// Marks a function as a test whose body runs under the build's checker: real-thread stress in a
/// plain `cargo test`, loom under `RUSTFLAGS="--cfg loom"`, shuttle's random scheduler under
/// `RUSTFLAGS="--cfg shuttle"`. The body is a `fn()` without arguments; it may spawn threads and
/// panic as any checked body does.
///
/// Arguments (all optional, comma-separated):
///
/// * `expect = Verdict` — the verdict the test expects in every flavour (default `Pass`); a set is
///   written `Pass | Violation`.
/// * `stress = ..`, `loom = ..`, `shuttle = ..` — the expected verdict(s) in that flavour, overriding
///   `expect`.
/// * `preemptions = n`, `max_executions = n` (loom), `iterations = n`, `depth = n`, `seed = n`
///   (shuttle), `runs = n` (stress) — bounds, in place of `check::Config::default()`'s (which reads
///   `LOOM_MAX_PREEMPTIONS` and the other `CONFIG_ENV` variables).
/// * `watchdog_ms = n` (stress), `time_budget_ms = n` (every checker) — durations.
///
/// A verdict outside the expected set fails the test, printing the whole report; a checker that
/// cannot judge the body (`CheckError`) fails it with the checker's explanation.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    match expand(args.into(), item.into()) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> syn::Result<proc_macro2::TokenStream> {
    let args = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args)?;
    let f = test_fn(item)?;
    if let Some(arg) = f.sig.inputs.first() {
        return Err(syn::Error::new(
            arg.span(),
            "#[racezoo::test] functions take no arguments",
        ));
    }
    if f.sig.asyncness.is_some() {
        return Err(syn::Error::new(
            f.sig.asyncness.span(),
            "#[racezoo::test] runs a synchronous body; async bodies are not supported",
        ));
    }
    if !matches!(f.sig.output, syn::ReturnType::Default) {
        return Err(syn::Error::new(
            f.sig.output.span(),
            "#[racezoo::test] bodies return `()`: fail with a panic or an assertion",
        ));
    }

    let mut expect = None;
    let mut per_flavour = Vec::new();
    let mut settings = Vec::new();
    let mut seen = Vec::new();
    for arg in &args {
        let arg = match arg {
            Meta::NameValue(arg) => arg,
            other => {
                return Err(syn::Error::new(
                    other.path().span(),
                    format!(
                        "#[racezoo::test] arguments are `name = value`: write `{} = ..`",
                        other.path().to_token_stream()
                    ),
                ));
            }
        };
        let key = arg.path.get_ident().map(|i| i.to_string()).ok_or_else(|| {
            syn::Error::new(
                arg.path.span(),
                "#[racezoo::test] arguments are plain names (`expect`, `loom`, `preemptions`, ..)",
            )
        })?;
        if seen.contains(&key) {
            return Err(syn::Error::new(
                arg.path.span(),
                format!("#[racezoo::test] argument `{key}` is given twice"),
            ));
        }
        seen.push(key.clone());
        match key.as_str() {
            "expect" => expect = Some(verdicts(&key, &arg.value)?),
            "stress" | "loom" | "shuttle" => {
                let flavour = match key.as_str() {
                    "stress" => quote!(Std),
                    "loom" => quote!(Loom),
                    _ => quote!(Shuttle),
                };
                let set = verdicts(&key, &arg.value)?;
                per_flavour.push(quote!(::racezoo::sync::Flavour::#flavour => &[#(#set),*],));
            }
            k if BOUNDS.contains(&k) => {
                let n = integer(&key, &arg.value)?;
                let field = syn::Ident::new(k, arg.path.span());
                settings.push(match k {
                    "preemptions" | "max_executions" | "seed" => {
                        quote!(__config.#field = ::core::option::Option::Some(#n);)
                    }
                    _ => quote!(__config.#field = #n;),
                });
            }
            "watchdog_ms" | "time_budget_ms" => {
                let n = integer(&key, &arg.value)?;
                let field = syn::Ident::new(key.trim_end_matches("_ms"), arg.path.span());
                settings.push(quote!(__config.#field = ::std::time::Duration::from_millis(#n);));
            }
            _ => {
                return Err(syn::Error::new(
                    arg.path.span(),
                    format!(
                        "unknown #[racezoo::test] argument `{key}`; expected expect, stress, loom, \
                         shuttle, {}, watchdog_ms or time_budget_ms",
                        BOUNDS.join(", ")
                    ),
                ));
            }
        }
    }
    let expect = expect.unwrap_or_else(|| vec![verdict("Pass", Span::call_site())]);

    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = f;
    let name = &sig.ident;
    let body_span = block.span();
    let run = quote_spanned! {body_span=>
        let __checker = match ::racezoo::sync::FLAVOUR {
            ::racezoo::sync::Flavour::Std => ::racezoo::check::Checker::Stress,
            ::racezoo::sync::Flavour::Loom => ::racezoo::check::Checker::Loom,
            ::racezoo::sync::Flavour::Shuttle => ::racezoo::check::Checker::ShuttleRandom,
        };
        let __expected: &[::racezoo::check::Verdict] = match ::racezoo::sync::FLAVOUR {
            #(#per_flavour)*
            #[allow(unreachable_patterns)]
            _ => &[#(#expect),*],
        };
        let __report = match __checker.run(&__config, __body) {
            ::core::result::Result::Ok(report) => report,
            ::core::result::Result::Err(e) => ::core::panic!("{}", e),
        };
        if !__expected.contains(&__report.verdict) {
            let __names: ::std::vec::Vec<::std::string::String> =
                __expected.iter().map(|v| v.to_string()).collect();
            ::core::panic!("expected verdict {}, got {}", __names.join(" | "), __report);
        }
    };
    Ok(quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #name() {
            fn __body() #block
            #[allow(unused_mut)]
            let mut __config = ::racezoo::check::Config::default();
            #(#settings)*
            #run
        }
    })
}

/// Parses the item the attribute is on: a `fn`, or an error naming what it is on instead, pointing
/// at the item's first token.
fn test_fn(item: proc_macro2::TokenStream) -> syn::Result<ItemFn> {
    let first = item.clone().into_iter().next().map(|t| t.span());
    match syn::parse2::<Item>(item) {
        Ok(Item::Fn(f)) => Ok(f),
        Ok(_) | Err(_) => Err(syn::Error::new(
            first.unwrap_or_else(Span::call_site),
            "#[racezoo::test] goes on a `fn` item (a test function without arguments)",
        )),
    }
}

/// Parses `key`'s value, `Pass` or `Pass | Violation`, into `Verdict` paths.
fn verdicts(key: &str, e: &Expr) -> syn::Result<Vec<proc_macro2::TokenStream>> {
    match e {
        Expr::Binary(b) if matches!(b.op, syn::BinOp::BitOr(_)) => {
            let mut set = verdicts(key, &b.left)?;
            set.extend(verdicts(key, &b.right)?);
            Ok(set)
        }
        Expr::Path(p) if p.path.get_ident().is_some() => {
            let ident = p.path.get_ident().expect("checked");
            let name = ident.to_string();
            if VERDICTS.contains(&name.as_str()) {
                Ok(vec![verdict(&name, ident.span())])
            } else {
                Err(syn::Error::new(
                    ident.span(),
                    format!(
                        "unknown verdict `{name}`; expected one of {}",
                        VERDICTS.join(", ")
                    ),
                ))
            }
        }
        _ => Err(syn::Error::new(
            e.span(),
            format!(
                "`{key}` takes a verdict (`{key} = Pass`) or a set of them (`{key} = Pass | Violation`)"
            ),
        )),
    }
}

fn verdict(name: &str, span: Span) -> proc_macro2::TokenStream {
    let ident = syn::Ident::new(name, span);
    quote!(::racezoo::check::Verdict::#ident)
}

/// Parses `key`'s value, a whole-number literal.
fn integer(key: &str, e: &Expr) -> syn::Result<proc_macro2::TokenStream> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Int(i), ..
        }) => Ok(quote!(#i)),
        _ => Err(syn::Error::new(
            e.span(),
            format!("`{key}` takes a whole number, as in `{key} = 2`"),
        )),
    }
}
