//! The OpenAPI document lists exactly the routes the router has.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use beian_web::routes::routes;

use crate::support::{App, Caller, request};

#[tokio::test]
async fn the_document_lists_every_route_and_no_other() {
    let app = App::new().await;
    let reply = app
        .send(
            request(Method::GET, "/api/v1/openapi.json")
                .caller(&Caller::Anonymous, false)
                .empty(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let document = reply.json;
    assert_eq!(document["openapi"], "3.1.0");

    let mut documented = BTreeSet::new();
    for (path, methods) in document["paths"].as_object().expect("paths object") {
        for (method, operation) in methods.as_object().expect("methods object") {
            assert!(
                operation["summary"]
                    .as_str()
                    .is_some_and(|s| s.contains(" / ")),
                "{method} {path}"
            );
            assert!(operation["responses"].is_object(), "{method} {path}");
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let declared: BTreeSet<(String, String)> = routes()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    assert_eq!(documented, declared);

    // And each declared route is really routed: never the fallback's "no such path".
    for route in routes() {
        let path = route.path.replace("{id}", "1");
        let reply = app
            .send(
                request(route.method.clone(), &path)
                    .caller(&Caller::Anonymous, false)
                    .empty(),
            )
            .await;
        let fallback = reply.status == StatusCode::NOT_FOUND
            && reply.json["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("路径"));
        assert!(!fallback, "{} {} is not routed", route.method, route.path);
        assert_ne!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{} {}",
            route.method,
            route.path
        );
    }
    let roles: BTreeSet<&str> = document["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(|methods| methods.as_object())
        .flat_map(|methods| methods.values())
        .filter_map(|op| op["x-required-role"].as_str())
        .collect();
    assert_eq!(roles, BTreeSet::from(["admin", "operator", "viewer"]));
}
