"""Settings shared by every environment; each value that differs comes from the environment."""

import logging
import os
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "simple_history",
    "template_partials",
    # The floors of ARCHITECTURE.md, ground first: each imports only those above it here.
    "governance",
    "suppliers",
    "escalations",
    "operations",
    "meetings",
    "relationship",
    "documents",
    "risks",
    "portal",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # The signed-in person's language (LocaleMiddleware chose one for everyone else).
    "governance.languages.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "governance.security.PortalCSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "governance.security.HtmxLoginRedirectMiddleware",
    "governance.mfa.SecondFactorMiddleware",
    "governance.security.PrivateResponsesMiddleware",
    "governance.security.WriteRateLimitMiddleware",
    "governance.security.RequestSizeLimitMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "governance.context_processors.viewer",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django turns psycopg's prepared statements off (None); its own cursors bind on the client
    # and never prepare anyway. At 0 a server-binding cursor's statement is prepared at once:
    # the only one is governance.fragments.data_version's, run on most pages. Behind a pooler
    # in transaction mode (PgBouncer), set it back to None.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "governance.User"
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out sign-in before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading each request's person with their supplier.
    "governance.auth.PortalBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "governance.passwords.GuessablePasswordValidator"},
]

# Swedish first (the city's language), English second; each person chooses theirs.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language chosen before sign-in is kept a year on that browser.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))

# Sessions end with the browser and after eight idle hours: a working day.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions in the cache, backed by the database: a page reads its session from the cache, and
# the store moves the eight hours on at most once a minute instead of writing the database on
# every page; a save while the database is away is a 503, not a 400 (governance/sessions.py).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ENGINE = "governance.sessions"

CSRF_FAILURE_VIEW = "governance.security.csrf_failure"

# Everything the pages load comes from the portal itself; no inline script or style (htmx's
# indicator styles are in portal.css, see base.html). The admin allows inline style attributes
# (governance.security.PortalCSPMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

# Five wrong passwords for one e-mail address from one address lock that pair out for 15
# minutes (each further try restarts the wait); a successful sign-in clears the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "governance.security.sign_in_name"
AXES_CLIENT_IP_CALLABLE = "governance.security.client_ip"
AXES_LOCKOUT_CALLABLE = "governance.security.locked_out"
AXES_VERBOSE = False  # no banner on every manage.py command; failures are still logged
# Requests pass through this many proxies that append to X-Forwarded-For (0: none), the last
# of them connecting from one of TRUSTED_PROXIES (addresses or networks, comma-separated);
# X-Forwarded-For from any other connection is ignored (governance.security.client_ip).
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
TRUSTED_PROXIES = [
    address.strip()
    for address in os.environ.get("DJANGO_TRUSTED_PROXIES", "").split(",")
    if address.strip()
]

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Governance portal <portal@city.example>")

# Public address used in e-mailed links (the e-mail has no request to take it from).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INVITATION_VALID_HOURS = 72
# How long a link to sign off a governance model works (for a holder without an account).
SIGN_OFF_LINK_VALID_HOURS = int(os.environ.get("SIGN_OFF_LINK_VALID_HOURS", str(14 * 24)))

REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# After a commit that queued outbox work, wake the relay at once (beat runs it every minute too).
OUTBOX_KICK_ON_COMMIT = env_bool("OUTBOX_KICK_ON_COMMIT", True)
# A request only kicks the relay; a broker that does not answer must not hold it up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# An issue still open this many days after its due date at its level is flagged as late.
ISSUE_ESCALATION_GRACE_DAYS = int(os.environ.get("ISSUE_ESCALATION_GRACE_DAYS", "0"))
# How many days an issue has at each level before it is late and the level above is told: the
# city's defaults, which procurement staff can change per contract and level.
ISSUE_RESPONSE_DAYS = {
    "business": int(os.environ.get("ISSUE_RESPONSE_DAYS_BUSINESS", "30")),
    "contract": int(os.environ.get("ISSUE_RESPONSE_DAYS_CONTRACT", "14")),
    "operational": int(os.environ.get("ISSUE_RESPONSE_DAYS_OPERATIONAL", "5")),
}
# A reported figure below its target raises an operational issue due this many days later.
BREACH_ISSUE_DUE_DAYS = int(os.environ.get("BREACH_ISSUE_DUE_DAYS", "14"))

# Notice deadlines alert the contract level's role holders of the city this many days before
# the deadline (comma-separated), then weekly after the last, until a decision is recorded.
NOTICE_ALERT_DAYS = tuple(
    int(days)
    for days in os.environ.get("NOTICE_ALERT_DAYS", "180,90,30").split(",")
    if days.strip()
)
# An action's owner is reminded this many days before its due date (and when it is overdue:
# the day after, then weekly).
ACTION_REMINDER_DAYS = int(os.environ.get("ACTION_REMINDER_DAYS", "3"))
# The weekly digest looks this far ahead for notice deadlines of the person's contracts.
DIGEST_NOTICE_DAYS = int(os.environ.get("DIGEST_NOTICE_DAYS", "180"))

# Beat's scheduler also leaves a heartbeat in the cache, which /readyz/ reads.
CELERY_BEAT_SCHEDULER = "governance.health:HeartbeatScheduler"
# /readyz/ fails when beat's last heartbeat is older than this, or when an outbox row has been
# due for longer than this (the relay runs every minute, and at once after each commit).
HEALTH_BEAT_SECONDS = int(os.environ.get("HEALTH_BEAT_SECONDS", "180"))
HEALTH_OUTBOX_LAG_SECONDS = int(os.environ.get("HEALTH_OUTBOX_LAG_SECONDS", "600"))

CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {
        "task": "governance.tasks.relay_outbox",
        "schedule": 60,
    },
    "reconcile-meetings": {
        "task": "meetings.tasks.reconcile_meetings",
        "schedule": 5 * 60,
    },
    # What a reconcile left to tell (more than a batch of meetings changed at once).
    "notify-meeting-changes": {
        "task": "meetings.tasks.notify_meeting_changes",
        "schedule": 60,
    },
    "flag-overdue-issues": {
        "task": "escalations.tasks.flag_overdue_issues",
        "schedule": 60 * 60,
    },
    "purge-expired-invitations": {
        "task": "suppliers.tasks.purge_expired_invitations",
        "schedule": 60 * 60,
    },
    "end-access-after-last-contract": {
        "task": "suppliers.tasks.end_access_after_last_contract",
        "schedule": 60 * 60,
    },
    # Daily, in the morning (Stockholm): the notice-deadline alerts due today.
    "send-notice-alerts": {
        "task": "suppliers.tasks.send_notice_alerts",
        "schedule": crontab(hour=7, minute=0),
    },
    # Reminders before an action's due date and when it is overdue (each step once).
    "remind-action-owners": {
        "task": "meetings.tasks.remind_action_owners",
        "schedule": crontab(hour=7, minute=0),
    },
    # The owners of the risks whose review date came (each review date once).
    "remind-risk-owners": {
        "task": "risks.tasks.remind_risk_owners",
        "schedule": crontab(hour=7, minute=5),
    },
    # Each person's week: their actions, issues, deadlines and meetings, and what they asked
    # to get in the digest.
    "send-weekly-digests": {
        "task": "portal.tasks.send_weekly_digests",
        "schedule": crontab(hour=6, minute=30, day_of_week="mon"),
    },
    "purge-old-records": {
        "task": "governance.tasks.purge_old_records",
        "schedule": 24 * 60 * 60,
    },
    "purge-expired-exports": {
        "task": "governance.tasks.purge_expired_exports",
        "schedule": 60 * 60,
    },
}


def portal_logging(log_format, level="INFO"):
    """One line per event with its time, level, logger and message: "text" for a person at a
    terminal (the demo, development), "json" for a log collector (one object per line)."""
    formatters = {
        "text": {
            "format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s",
            "datefmt": "%Y-%m-%d %H:%M:%S",
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger", "exc_info": "exception"},
            "timestamp": "time",
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"portal": formatters[log_format]},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "portal"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own handlers print django.* a second time when DEBUG is on and give
            # runserver's request lines a format of their own: everything goes to the root's.
            "django": {"handlers": [], "propagate": True},
            "django.server": {"handlers": [], "propagate": True},
            # A sign-in is four INFO lines of django-axes; failures and lockouts are warnings.
            "axes": {"level": "WARNING"},
            # The worker tells of each task when it arrives and when it is done; once is enough.
            "celery.worker.strategy": {"level": "WARNING"},
            # WeasyPrint reports each rendering step at INFO.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
    }


LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = portal_logging(os.environ.get("LOG_FORMAT", "text"), LOG_LEVEL)
# Python's warnings (a library's deprecation, a missing static folder) as lines of the log, in
# its format, instead of raw text on stderr.
logging.captureWarnings(True)

# The dashboard's figures are shared by the city's people and recomputed at most this often
# (0: on every request); the page shows their age and has a refresh link.
DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", "60"))
# Changes (POSTs) one signed-in person may send a minute (governance.security); a person at
# work saves far fewer, a script or a stuck key far more.
# The privacy notice (portal/privacy/): who is responsible, and where requests go.
PRIVACY_CONTROLLER = os.environ.get("PRIVACY_CONTROLLER", "The city")
PRIVACY_CONTACT_EMAIL = os.environ.get("PRIVACY_CONTACT_EMAIL", "dataskydd@city.example")
# The accessibility statement (/accessibility/, required by the DOS Act, lagen om
# tillgänglighet till digital offentlig service). ACCESSIBILITY_KNOWN_PROBLEMS: the city's own
# list, one problem per line (empty: none, the service is then stated as fully compliant);
# unset, the statement lists the problems known when the portal was shipped.
ACCESSIBILITY_ORGANISATION = os.environ.get("ACCESSIBILITY_ORGANISATION", PRIVACY_CONTROLLER)
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get(
    "ACCESSIBILITY_CONTACT_EMAIL", "tillganglighet@city.example"
)
ACCESSIBILITY_REVIEWED_ON = date.fromisoformat(
    os.environ.get("ACCESSIBILITY_REVIEWED_ON", "2026-11-30")
)
_known_problems = os.environ.get("ACCESSIBILITY_KNOWN_PROBLEMS")
ACCESSIBILITY_KNOWN_PROBLEMS = (
    None
    if _known_problems is None
    else [line.strip() for line in _known_problems.splitlines() if line.strip()]
)
# Access-log rows (sign-ins and the like) older than this are deleted by beat.
ACCESS_LOG_DAYS = int(os.environ.get("ACCESS_LOG_DAYS", "365"))
# History rows (who changed what in the records) older than this are deleted by beat; 0 keeps
# them. They are part of the city's public records, which are kept until the city's own
# decision on weeding them out (gallringsbeslut under the Archives Act) says otherwise.
HISTORY_DAYS = int(os.environ.get("HISTORY_DAYS", "0"))
# A supplier's contacts lose access this many days after its last contract ended.
SUPPLIER_ACCESS_GRACE_DAYS = int(os.environ.get("SUPPLIER_ACCESS_GRACE_DAYS", "30"))
# Two-factor sign-in (governance/mfa.py): an authenticator app's six-digit code, or a recovery
# code. Always asked of the city's staff and administrators who sign in with a password; asked
# of supplier contacts too when this is on (and of anyone who set it up themselves).
MFA_FOR_SUPPLIER_CONTACTS = env_bool("MFA_FOR_SUPPLIER_CONTACTS", False)
# The name an authenticator app shows next to the code.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Governance portal")
# Recovery codes given at a time, each good for one sign-in without the phone.
MFA_RECOVERY_CODES = 10
# A password reset link works once, for this long.
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60
WRITES_PER_MINUTE = int(os.environ.get("WRITES_PER_MINUTE", "60"))
# The largest request body read (governance.security): a 2 MB figures file and its form. Form
# fields without files are held to it too, so a longer one gets the same explanation.
MAX_REQUEST_BYTES = 3 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
# Lists everyone sees alike (the contract list, a supplier's page for its contacts) are rendered
# once per version of their data and shared (governance/fragments.py); 0 turns that off.
SHARED_FRAGMENT_SECONDS = int(os.environ.get("SHARED_FRAGMENT_SECONDS", "600"))
# How many characters of shared fragments each process keeps in its own memory besides Redis:
# 8 M is 8-16 MB a process (a page with a sign such as ▼ takes two bytes a character), some
# 250 pages of the contract list.
SHARED_FRAGMENT_MEMORY = int(os.environ.get("SHARED_FRAGMENT_MEMORY", str(8_000_000)))

# Single sign-on for the city's staff through the city's OpenID Connect provider (Entra ID or
# similar; governance/oidc.py, README: Security), on when OIDC_RP_CLIENT_ID is set. The URLs
# under /oidc/ always exist and answer 404 while it is off. Supplier contacts keep their
# invitations, passwords and two-factor sign-in.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
# The provider's endpoints, as its /.well-known/openid-configuration lists them.
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
# A provider that names the groups only under a scope of its own needs it added here (Entra ID
# puts them in the ID token when its app registration's "groups claim" is set).
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10  # seconds: a provider that does not answer fails the sign-in, not the worker
# The claim that lists the person's groups, and which group gives which role:
# OIDC_ROLE_GROUPS="<group>=admin,<group>=procurement,<group>=director" (group names or ids as
# the provider sends them). A person in no listed group is refused; in several, the most
# powerful role wins: admin, then procurement, then director.
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")


def env_pairs(name):
    """The variable's "a=b,c=d" as {"a": "b", "c": "d"}; anything else in it stops the start."""
    pairs = {}
    for pair in env_list(name):
        key, _equals, value = pair.rpartition("=")
        if not (key.strip() and value.strip()):
            raise ImproperlyConfigured(f"{name}: {pair!r} is not <name>=<value>.")
        pairs[key.strip()] = value.strip()
    return pairs


OIDC_ROLE_GROUPS = env_pairs("OIDC_ROLE_GROUPS")
# The callback marks the session as signed in through the provider (no second TOTP prompt).
OIDC_CALLBACK_CLASS = "governance.oidc.CitySignInCallbackView"
OIDC_AUTHENTICATE_CLASS = "governance.oidc.CitySignInView"
if OIDC_ENABLED:
    _needed = {
        "OIDC_RP_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
        "OIDC_OP_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
        "OIDC_OP_USER_ENDPOINT": OIDC_OP_USER_ENDPOINT,
        "OIDC_OP_JWKS_ENDPOINT": OIDC_OP_JWKS_ENDPOINT,
        "OIDC_ROLE_GROUPS": OIDC_ROLE_GROUPS,
    }
    _missing = [name for name, value in _needed.items() if not value]
    if _missing:
        raise ImproperlyConfigured(f"Single sign-on needs {', '.join(_missing)} as well.")
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "governance.oidc.CityStaffBackend"]

# Attachments (documents/) are kept in the storage STORAGES["attachments"]: files under
# MEDIA_ROOT/attachments, or an S3-compatible bucket when ATTACHMENTS_S3_BUCKET is set
# (credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the host's role, as boto3 finds
# them). Never served from MEDIA_URL: every download goes through the portal's access rules.
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(25 * 1024 * 1024)))
# An upload's request: the file and its form's few fields.
ATTACHMENT_MAX_REQUEST_BYTES = ATTACHMENT_MAX_BYTES + 64 * 1024


def attachments_storage():
    bucket = os.environ.get("ATTACHMENTS_S3_BUCKET", "")
    if not bucket:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": MEDIA_ROOT / "attachments"},
        }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "location": os.environ.get("ATTACHMENTS_S3_PREFIX", "attachments"),
            "file_overwrite": False,
            "default_acl": None,  # the bucket's own: private
            "querystring_auth": True,
            "signature_version": "s3v4",
        },
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": attachments_storage(),
}
# Exports (governance/exports.py): a list longer than this many rows is written by the worker,
# and its file kept this many hours for the person who asked.
EXPORT_ASYNC_ROWS = int(os.environ.get("EXPORT_ASYNC_ROWS", "5000"))
EXPORT_KEEP_HOURS = int(os.environ.get("EXPORT_KEEP_HOURS", "24"))
# The REST API (api/, README: API): requests one personal API token may make a minute (counted
# in the cache; beyond it 429 with Retry-After), and the longest a token may live, in days.
API_REQUESTS_PER_MINUTE = int(os.environ.get("API_REQUESTS_PER_MINUTE", "120"))
API_TOKEN_MAX_DAYS = int(os.environ.get("API_TOKEN_MAX_DAYS", "365"))
