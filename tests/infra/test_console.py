"""The staff console in the synthesized template: a private bucket read by CloudFront through origin
access control, the page routing of the single-page app, the security headers, the files with their
configuration, the API's and the imports bucket's CORS for the console's origin (and the pre-signed
upload URL's host, which the CSP and the bucket's CORS must name), and the stack's outputs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from aws_cdk import Stack
from aws_cdk.assertions import Annotations, Match, Template

from infra.config import dev_server_origin
from infra.constructs.api_cors import ALLOWED_HEADERS, cors_configuration
from infra.constructs.console import VIEWER_REQUEST_CODE, ConsoleConfig, ConsoleFiles, ConsoleHosting
from infra.constructs.imports import PREFLIGHT_MAX_AGE_SECONDS, UPLOAD_HEADERS
from marketing.auth import Access
from marketing.aws import clients
from marketing.catalog.api_routes import BASE_PATH, ROUTES
from tests.infra.intrinsics import logical_id, render


def _distribution(template) -> tuple[str, dict]:
    [(name, distribution)] = template.find_resources("AWS::CloudFront::Distribution").items()
    return name, distribution["Properties"]["DistributionConfig"]


def _security_headers(template) -> dict:
    [policy] = template.find_resources("AWS::CloudFront::ResponseHeadersPolicy").values()
    return policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]


def _csp(template) -> dict[str, list[str]]:
    text = render(_security_headers(template)["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    directives = [directive.split() for directive in text.split(";")]
    return {name: sources for name, *sources in directives}


def _console_origin(template) -> str:
    name, _ = _distribution(template)
    return f"https://<{name}.DomainName>"


def _imports_bucket(template) -> str:
    return logical_id(template, "AWS::S3::Bucket", "ContactImportsBucket")


def _uploads_origin(template) -> str:
    return f"https://<{_imports_bucket(template)}.RegionalDomainName>"


def _cors_call(template, prefix: str, event: str = "Create") -> dict:
    """The SDK call a CORS custom resource (CDK's AwsCustomResource) makes on `event`."""
    resource = template.find_resources("Custom::AWS")[logical_id(template, "Custom::AWS", prefix)]
    return json.loads(render(resource["Properties"][event]))


def test_the_console_bucket_is_private_encrypted_and_read_by_cloudfront_only(template):
    _, config = _distribution(template)
    [origin] = config["Origins"]
    bucket_id = origin["DomainName"]["Fn::GetAtt"][0]
    bucket = template.find_resources("AWS::S3::Bucket")[bucket_id]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    [rule] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    [policy] = [
        policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in template.find_resources("AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    denied_without_tls = [s for s in policy if s["Effect"] == "Deny"]
    assert denied_without_tls[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    readers = [s for s in policy if s["Effect"] == "Allow" and "s3:GetObject" in json.dumps(s["Action"])]
    [reader] = readers  # the distribution, and no one else reads objects
    assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    distribution_name, _ = _distribution(template)
    assert render(reader["Condition"]["StringEquals"]["AWS:SourceArn"]).endswith(f":distribution/<{distribution_name}>")


def test_the_distribution_reads_through_origin_access_control_and_serves_https_only(template):
    _, config = _distribution(template)
    [origin] = config["Origins"]
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy origin access identity
    oac_id = origin["OriginAccessControlId"]["Fn::GetAtt"][0]
    oac = template.find_resources("AWS::CloudFront::OriginAccessControl")[oac_id]["Properties"]
    signing = {
        key: oac["OriginAccessControlConfig"][key] for key in ("OriginAccessControlOriginType", "SigningBehavior")
    }
    assert signing == {"OriginAccessControlOriginType": "s3", "SigningBehavior": "always"}
    assert oac["OriginAccessControlConfig"]["SigningProtocol"] == "sigv4"
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    [association] = behavior["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    function_id = association["FunctionARN"]["Fn::GetAtt"][0]
    function = template.find_resources("AWS::CloudFront::Function")[function_id]["Properties"]
    assert function["FunctionCode"] == VIEWER_REQUEST_CODE.read_text()
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"


@pytest.mark.skipif(shutil.which("node") is None, reason="no Node.js to run the CloudFront Function")
def test_the_page_routing_function_gives_pages_the_index_and_files_their_own_path():
    uris = [
        "/console/",
        "/console/campaigns/123",
        "/console/templates/new",
        "/console/index.html",
        "/console/config.json",
        "/console/assets/index-1a2b3c.js",
        "/console/favicon.svg",
        "/",
        "/console",
        "/robots.txt",
    ]
    script = VIEWER_REQUEST_CODE.read_text() + (
        f"\nconsole.log(JSON.stringify({json.dumps(uris)}.map(function (uri) {{"
        " return handler({ request: { uri: uri, querystring: {}, headers: {} } }); })));"
    )
    output = subprocess.run(["node", "-e", script], capture_output=True, check=True).stdout
    results = dict(zip(uris, json.loads(output), strict=True))
    for page in ("/console/", "/console/campaigns/123", "/console/templates/new", "/console/index.html"):
        assert results[page]["uri"] == "/console/index.html", page
    for file in ("/console/config.json", "/console/assets/index-1a2b3c.js", "/console/favicon.svg", "/robots.txt"):
        assert results[file]["uri"] == file
    for root in ("/", "/console"):
        assert results[root]["statusCode"] == 302
        assert results[root]["headers"]["location"]["value"] == "/console/"


def test_the_content_security_policy_runs_no_inline_or_evaluated_script(template):
    csp = _csp(template)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    every_source = [source for sources in csp.values() for source in sources]
    assert "'unsafe-eval'" not in every_source
    assert [name for name, sources in csp.items() if "'unsafe-inline'" in sources] == ["style-src"]


def test_the_content_security_policy_lets_the_console_reach_the_api_and_cognito_only(template):
    csp = _csp(template)
    api_id = logical_id(template, "AWS::ApiGatewayV2::Api", "ApiHttpApi")
    [domain] = template.find_resources("AWS::Cognito::UserPoolDomain").values()
    sign_in = f"https://{render(domain['Properties']['Domain'])}.auth.<AWS::Region>.amazoncognito.com"
    assert csp["connect-src"] == [
        "'self'",
        f"<{api_id}.ApiEndpoint>",
        "https://cognito-identity.<AWS::Region>.amazonaws.com",
        "https://cognito-idp.<AWS::Region>.amazonaws.com",
        sign_in,
        _uploads_origin(template),
    ]
    assert csp["form-action"] == ["'self'", sign_in]


def test_the_console_may_connect_to_named_origins_only(template):
    """No wildcard and no bare scheme: injected script could post data to any host one allowed."""
    for source in _csp(template)["connect-src"]:
        assert "*" not in source, source
        # An https origin with a host (the API's endpoint is one: https://<api-id>.execute-api...).
        assert re.fullmatch(r"'self'|https://.+|<\w+\.ApiEndpoint>", source), source


def test_the_content_security_policy_is_local_modes_plus_the_aws_origins(template):
    """Local mode serves the console with the same policy, the API and sign-in on its own origin, its
    uploads going to the moto server's (here: the imports bucket's, as in AWS)."""
    from marketing_local.console import CONTENT_SECURITY_POLICY

    policy = CONTENT_SECURITY_POLICY.format(uploads=_uploads_origin(template))
    local = {name: sources for name, *sources in (d.split() for d in policy.split(";"))}
    aws = _csp(template)
    assert set(local) == set(aws)
    for name, sources in local.items():
        assert set(sources) <= set(aws[name]), name
        if name not in ("connect-src", "form-action"):
            assert aws[name] == sources, name


def test_every_response_carries_the_security_headers(template):
    headers = _security_headers(template)
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["StrictTransportSecurity"]["Override"] is True
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert headers["ReferrerPolicy"] == {"ReferrerPolicy": "strict-origin-when-cross-origin", "Override": True}
    assert headers["ContentSecurityPolicy"]["Override"] is True


def _config_json(template, synthesized) -> dict[str, str]:
    """The console's config.json as deployed: each value rendered from its deploy-time marker."""
    _, template_path, _ = synthesized
    [text] = [path.read_text() for path in template_path.parent.glob("asset.*/config.json")]
    [deployment] = [
        resource["Properties"]
        for resource in template.find_resources("Custom::CDKBucketDeployment").values()
        if resource["Properties"]["DestinationBucketKeyPrefix"] == "console/"
    ]
    markers = {marker: value for markers in deployment["SourceMarkers"] for marker, value in markers.items()}
    pairs = re.findall(r'"(\w+)":("[^"]*"|<<marker:0xbaba:\d+>>)', text)
    return {key: json.loads(render(markers[value]) if value in markers else value) for key, value in pairs}


def test_the_console_is_deployed_under_console_with_its_deploy_time_configuration(template, synthesized):
    user_pool = logical_id(template, "AWS::Cognito::UserPool", "StaffIdentityUserPool")
    client = logical_id(template, "AWS::Cognito::UserPoolClient", "StaffIdentityUserPoolConsoleClient")
    identity_pool = logical_id(template, "AWS::Cognito::IdentityPool", "StaffIdentityIdentityPool")
    domain = logical_id(template, "AWS::Cognito::UserPoolDomain", "StaffIdentityUserPoolSignInDomain")
    api = logical_id(template, "AWS::ApiGatewayV2::Api", "ApiHttpApi")
    assert _config_json(template, synthesized) == {
        "mode": "aws",
        "region": "<AWS::Region>",
        "apiUrl": f"<{api}.ApiEndpoint>{BASE_PATH}",
        "userPoolId": f"<{user_pool}>",
        "userPoolClientId": f"<{client}>",
        "identityPoolId": f"<{identity_pool}>",
        "cognitoDomain": f"https://<{domain}>.auth.<AWS::Region>.amazoncognito.com",
        "redirectUri": f"{_console_origin(template)}/console/",
    }
    distribution_name, _ = _distribution(template)
    template.has_resource_properties(
        "Custom::CDKBucketDeployment",
        {
            "DestinationBucketKeyPrefix": "console/",
            "Prune": True,
            "Exclude": ["assets/*"],
            "DistributionId": {"Ref": distribution_name},
            "DistributionPaths": ["/console/*"],
            "SystemMetadata": {"cache-control": "no-cache"},
        },
    )


def _console_in_a_stack(dist_dir) -> Stack:
    stack = Stack()
    hosting = ConsoleHosting(
        stack,
        "Console",
        api_origin="https://api.example",
        sign_in_origin="https://staff.auth.example",
        uploads_origin="https://imports.s3.eu-west-2.amazonaws.com",
    )
    config = ConsoleConfig("eu-west-2", "https://api.example/x", "pool", "client", "ids", "https://d", hosting.url)
    ConsoleFiles(stack, "ConsoleFiles", hosting=hosting, dist_dir=dist_dir, config=config)
    return stack


def test_a_clone_without_a_build_deploys_a_page_saying_so_and_warns(tmp_path):
    stack = _console_in_a_stack(tmp_path / "dist")
    Annotations.from_stack(stack).has_warning("*", Match.string_like_regexp("make console"))
    [deployment] = Template.from_stack(stack).find_resources("Custom::CDKBucketDeployment").values()
    assert deployment["Properties"]["DestinationBucketKeyPrefix"] == "console/"
    assert len(deployment["Properties"]["SourceObjectKeys"]) == 2  # the placeholder page and config.json


def test_a_build_deploys_its_hashed_assets_first_kept_and_cached_for_a_year(tmp_path):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html>")
    (dist / "assets" / "index-1a2b.js").write_text("export {}")
    stack = _console_in_a_stack(dist)
    Annotations.from_stack(stack).has_no_warning("*", Match.any_value())
    deployments = Template.from_stack(stack).find_resources("Custom::CDKBucketDeployment")
    by_prefix = {d["Properties"]["DestinationBucketKeyPrefix"]: (name, d) for name, d in deployments.items()}
    assets_name, assets = by_prefix["console/assets/"]
    _, pages = by_prefix["console/"]
    assert assets["Properties"]["Prune"] is False  # an open console still finds its build's chunks
    assert assets["Properties"]["SystemMetadata"] == {"cache-control": "public, max-age=31536000, immutable"}
    assert pages["Properties"]["SystemMetadata"] == {"cache-control": "no-cache"}
    assert assets_name in pages["DependsOn"]  # no index.html before the files it names


def test_the_console_needs_no_docker_to_synthesize(synthesized):
    """BucketDeployment runs on CDK's prebuilt AWS CLI layer, a file asset: no image is built."""
    _, template_path, _ = synthesized
    manifest = json.loads(template_path.with_name(template_path.name.replace(".template.", ".assets.")).read_text())
    assert manifest.get("dockerImages", {}) == {}


def test_the_api_allows_the_console_origin_with_the_signed_request_headers(template):
    create = _cors_call(template, "ApiCors")
    api = logical_id(template, "AWS::ApiGatewayV2::Api", "ApiHttpApi")
    assert (create["service"], create["action"]) == ("ApiGatewayV2", "UpdateApi")
    assert create["parameters"]["ApiId"] == f"<{api}>"
    configuration = create["parameters"]["CorsConfiguration"]
    assert configuration["AllowOrigins"] == [_console_origin(template)]
    assert (
        set(configuration["AllowHeaders"])
        == set(ALLOWED_HEADERS)
        == {
            "authorization",
            "content-type",
            "x-amz-date",
            "x-amz-security-token",
            "x-amz-content-sha256",
        }
    )
    assert configuration["AllowMethods"] == sorted({r.method for r in ROUTES if r.access is Access.STAFF})
    assert configuration["MaxAge"] > 0
    assert _cors_call(template, "ApiCors", "Update") == create
    assert _cors_call(template, "ApiCors", "Delete")["action"] == "DeleteCorsConfiguration"


def test_cors_allows_the_methods_of_the_staff_routes():
    assert set(cors_configuration(["https://a"])["AllowMethods"]) == {
        route.method for route in ROUTES if route.access is Access.STAFF
    }


def test_the_imports_bucket_lets_the_console_put_files_and_nothing_else(template):
    """The browser PUTs a contact list to the pre-signed URL: S3 answers its preflight from this rule."""
    create = _cors_call(template, "ContactImports")
    assert (create["service"], create["action"]) == ("S3", "PutBucketCors")
    assert create["parameters"]["Bucket"] == f"<{_imports_bucket(template)}>"
    [rule] = create["parameters"]["CORSConfiguration"]["CORSRules"]
    assert rule["AllowedOrigins"] == [_console_origin(template)]
    assert rule["AllowedMethods"] == ["PUT"]
    # The file's type; the URL carries its signature, date and session token in the query string.
    assert rule["AllowedHeaders"] == list(UPLOAD_HEADERS) == ["content-type"]
    assert rule["MaxAgeSeconds"] == PREFLIGHT_MAX_AGE_SECONDS == 3000
    assert _cors_call(template, "ContactImports", "Update") == create
    delete = _cors_call(template, "ContactImports", "Delete")
    assert delete["action"] == "DeleteBucketCors"
    assert delete["parameters"] == {"Bucket": f"<{_imports_bucket(template)}>"}


def test_the_bucket_cors_is_set_by_a_call_allowed_on_the_imports_bucket_only(template):
    """Not the bucket's CorsConfiguration: the bucket would name the distribution, whose CSP names it."""
    bucket = _imports_bucket(template)
    assert "CorsConfiguration" not in template.find_resources("AWS::S3::Bucket")[bucket]["Properties"]
    statements = [
        statement
        for policy in template.find_resources("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "s3:PutBucketCORS" in json.dumps(statement["Action"])
    ]
    # S3 authorizes DeleteBucketCors with s3:PutBucketCORS as well.
    bucket_arn = {"Fn::GetAtt": [bucket, "Arn"]}
    assert statements == [{"Action": "s3:PutBucketCORS", "Effect": "Allow", "Resource": bucket_arn}]


# CloudFormation's RegionalDomainName of a bucket, as its documentation gives it (us-east-1 included).
REGIONAL_DOMAIN_NAME = "{bucket}.s3.{region}.amazonaws.com"


@pytest.mark.parametrize("region", ["eu-west-2", "us-east-1", "eu-north-1", "ap-east-1"])
def test_the_platforms_s3_client_presigns_uploads_for_the_origin_the_console_allows(region):
    """The API pre-signs the upload with marketing.aws.clients' S3 client: its URL must be on the
    bucket's regional host that the CSP and the CORS rule name, not botocore's default, the global
    `<bucket>.s3.amazonaws.com` (SigV2 in us-east-1), which S3 redirects for a new bucket."""
    bucket = "marketingplatform-contactimportsbucket-1a2b3c4d"
    s3 = boto3.client("s3", region_name=region, config=clients.client_config("s3"))
    url = urlsplit(
        s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "imports/imp_1.csv"}, ExpiresIn=3600)
    )
    # The CSP and the CORS rule name https://<the bucket's RegionalDomainName> (the tests above).
    assert f"{url.scheme}://{url.netloc}" == "https://" + REGIONAL_DOMAIN_NAME.format(bucket=bucket, region=region)
    assert url.path == "/imports/imp_1.csv"
    query = parse_qs(url.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Credential"][0].endswith(f"/{region}/s3/aws4_request")
    # Only the host is signed: the browser's Content-Type need not match, and no checksum is expected.
    assert query["X-Amz-SignedHeaders"] == ["host"]
    assert not [name for name in query if "checksum" in name.lower()]


def test_the_api_gets_that_client(monkeypatch):
    """marketing.aws.clients.client("s3"), uncached, in the functions' region (tests/conftest.py)."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    url = clients.client.__wrapped__("s3").generate_presigned_url(
        "put_object", Params={"Bucket": "imports-bucket", "Key": "imports/imp_1.csv"}
    )
    assert url.startswith("https://imports-bucket.s3.eu-west-2.amazonaws.com/imports/imp_1.csv?X-Amz-Algorithm=")


def test_local_modes_uploads_stay_addressed_by_path_on_the_moto_server():
    """Local mode points the SDK at moto by IP address: no bucket host name to resolve there."""
    s3 = boto3.client(
        "s3", region_name="eu-west-2", endpoint_url="http://127.0.0.1:5000", config=clients.client_config("s3")
    )
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "imports-bucket", "Key": "imports/imp_1.csv"})
    assert url.startswith("http://127.0.0.1:5000/imports-bucket/imports/imp_1.csv?")


def test_the_stack_outputs_the_console_and_its_sign_in(template):
    outputs = template.find_outputs("*")
    for name in ("ConsoleUrl", "UserPoolId", "UserPoolClientId", "IdentityPoolId", "CognitoDomain"):
        assert name in outputs, name
    assert render(outputs["ConsoleUrl"]["Value"]) == f"{_console_origin(template)}/console/"
    assert render(outputs["CognitoDomain"]["Value"]).endswith(".amazoncognito.com")


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        (None, None),
        ("false", None),
        ("true", "http://localhost:5173"),
        ("http://localhost:3000/", "http://localhost:3000"),
        ("https://console-dev.shop.example", "https://console-dev.shop.example"),
    ],
)
def test_the_dev_server_origin_comes_from_context(value, origin):
    assert dev_server_origin(value) == origin


@pytest.mark.parametrize("value", ["http://dev.shop.example", "https://a.example/console/", "localhost:5173"])
def test_a_dev_server_origin_cognito_would_refuse_fails_synth(value):
    with pytest.raises(ValueError, match="consoleDevOrigin"):
        dev_server_origin(value)


@pytest.fixture
def with_console_options(variant_template) -> Template:
    """MFA optional and a dev server allowed (tests/infra/conftest.py: VARIANT_CONTEXT)."""
    return variant_template


def test_a_dev_server_may_sign_in_and_call_the_api_only_when_the_context_allows_it(template, with_console_options):
    [client] = template.find_resources("AWS::Cognito::UserPoolClient").values()
    assert not any("localhost" in render(url) for url in client["Properties"]["CallbackURLs"])
    [client] = with_console_options.find_resources("AWS::Cognito::UserPoolClient").values()
    for urls in (client["Properties"]["CallbackURLs"], client["Properties"]["LogoutURLs"]):
        assert [render(url) for url in urls][1:] == ["http://localhost:5173/console/"]
    origins = _cors_call(with_console_options, "ApiCors")["parameters"]["CorsConfiguration"]["AllowOrigins"]
    assert origins[1:] == ["http://localhost:5173", "https://shop.example", "https://www.shop.example"]
    [rule] = _cors_call(with_console_options, "ContactImports")["parameters"]["CORSConfiguration"]["CORSRules"]
    assert rule["AllowedOrigins"][1:] == ["http://localhost:5173"]  # the shop's site never uploads imports


def test_consolemfa_optional_makes_mfa_optional(with_console_options):
    [pool] = with_console_options.find_resources("AWS::Cognito::UserPool").values()
    assert pool["Properties"]["MfaConfiguration"] == "OPTIONAL"
    assert pool["Properties"]["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
