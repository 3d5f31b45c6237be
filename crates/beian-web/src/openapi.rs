//! The OpenAPI 3.1 document, generated from [`crate::routes::routes`].

use serde_json::{Map, Value, json};

use crate::auth::{CSRF_HEADER, SESSION_COOKIE};
use crate::routes::{Access, RouteSpec, routes};

/// Path parameters of an axum/OpenAPI path: the names between braces.
fn path_parameters(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    })
}

fn operation(route: &RouteSpec) -> Value {
    let mut parameters: Vec<Value> = path_parameters(route.path)
        .into_iter()
        .map(|name| {
            // Ids are numbers; other path segments (a checklist item, a file name) are text.
            let kind = if name == "id" { "integer" } else { "string" };
            json!({ "name": name, "in": "path", "required": true, "schema": { "type": kind } })
        })
        .collect();
    parameters.extend(route.query.iter().map(|(name, kind, description)| {
        json!({
            "name": name, "in": "query", "required": false,
            "description": description, "schema": { "type": kind }
        })
    }));
    let mut responses = Map::new();
    let success = if route.success == 204 {
        json!({ "description": "done, no content" })
    } else {
        let mut content = Map::new();
        content.insert(route.produces.to_owned(), json!({ "schema": {} }));
        json!({ "description": "ok", "content": content })
    };
    responses.insert(route.success.to_string(), success);
    responses.insert("400".into(), error_response("invalid input"));
    let mut operation = Map::new();
    operation.insert("operationId".into(), json!(format!("{:?}", route.endpoint)));
    operation.insert("summary".into(), json!(route.summary));
    operation.insert("tags".into(), json!([route.tag]));
    match route.access {
        Access::Public => {
            operation.insert("security".into(), json!([]));
        }
        Access::Role(role) => {
            operation.insert("x-required-role".into(), json!(role.as_str()));
            operation.insert(
                "security".into(),
                json!([{ "bearer": [] }, { "session": [], "csrf": [] }]),
            );
            responses.insert("401".into(), error_response("not signed in"));
            responses.insert(
                "403".into(),
                error_response("role too low, or CSRF token missing"),
            );
            if !path_parameters(route.path).is_empty() {
                responses.insert(
                    "404".into(),
                    error_response("no such item in your organisations"),
                );
            }
        }
    }
    if route.endpoint == crate::routes::Endpoint::Login {
        responses.insert("401".into(), error_response("wrong user name or password"));
        responses.insert("429".into(), error_response("too many failed logins"));
    }
    if !parameters.is_empty() {
        operation.insert("parameters".into(), Value::Array(parameters));
    }
    if !route.consumes.is_empty() {
        let mut content = Map::new();
        for media in route.consumes {
            content.insert(
                (*media).to_owned(),
                json!({ "schema": { "type": "string", "format": "binary" } }),
            );
        }
        operation.insert(
            "requestBody".into(),
            json!({ "required": true, "content": content }),
        );
    } else if let Some(required) = route.body {
        operation.insert(
            "requestBody".into(),
            json!({
                "required": true,
                "content": { "application/json": { "schema": {
                    "type": "object", "required": required
                } } }
            }),
        );
    }
    operation.insert("responses".into(), Value::Object(responses));
    Value::Object(operation)
}

/// The whole document.
pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for route in routes() {
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(methods) = entry {
            methods.insert(route.method.as_str().to_lowercase(), operation(&route));
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Beian Guard API / 备案卫士 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Sites, findings and cases of your organisations. Sign in with \
                POST /api/v1/session (cookie + CSRF header on unsafe methods) or send \
                `Authorization: Bearer <token>`. Errors: {\"error\": {\"code\", \"message\"}}."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "session": { "type": "apiKey", "in": "cookie", "name": SESSION_COOKIE },
                "csrf": { "type": "apiKey", "in": "header", "name": CSRF_HEADER }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": { "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": { "type": "string" },
                            "message": { "type": "string", "description": "中文 / English" }
                        }
                    } }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_are_the_braced_segments() {
        assert_eq!(
            path_parameters("/api/v1/findings/{id}/suppress"),
            vec!["id"]
        );
        assert!(path_parameters("/api/v1/sites").is_empty());
    }
}
