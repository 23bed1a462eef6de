"""Settings read from the environment.

With no DATABASE_URL the platform runs on an embedded SQLite database (WAL mode) inside
the data directory ($GONGZHI_DATA_DIR, default ./var), which also holds uploads.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("GONGZHI_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if key := os.environ.get("GONGZHI_SECRET_KEY"):
        return key
    # A per-installation key kept in the data directory, so demo installs need no setup.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        from django.core.management.utils import get_random_secret_key

        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("GONGZHI_DEBUG", False)
ALLOWED_HOSTS = os.environ.get("GONGZHI_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("GONGZHI_CSRF_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "gongzhi.core",
    "gongzhi.areas",
    "gongzhi.accounts",
    "gongzhi.notices",
    "gongzhi.cases",
    "gongzhi.deliberation",
    "gongzhi.volunteering",
    "gongzhi.renewal",
    "gongzhi.campaigns",
    "gongzhi.open311",
    "gongzhi.demo",
    "django_tasks",
    "django_tasks_db",
]

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongzhi.core.middleware.SessionKeepAliveMiddleware",
    "gongzhi.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gongzhi.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

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
                "gongzhi.core.context_processors.navigation",
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("GONGZHI_TEST_DB", "test_gongzhi"),
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "gongzhi.sqlite3",
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; IMMEDIATE makes
                # write transactions take the lock up front instead of failing midway.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["gongzhi.accounts.backends.PhoneOrUsernameBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
# 等保 2.0: limit failed attempts, lock, time out idle sessions.
GONGZHI_LOGIN_MAX_FAILURES = int(os.environ.get("GONGZHI_LOGIN_MAX_FAILURES", "5"))
GONGZHI_LOGIN_LOCK_MINUTES = int(os.environ.get("GONGZHI_LOGIN_LOCK_MINUTES", "15"))
SESSION_COOKIE_AGE = int(os.environ.get("GONGZHI_SESSION_SECONDS", str(8 * 3600)))
# The idle clock restarts at most this often (see core.middleware.SessionKeepAliveMiddleware).
GONGZHI_SESSION_TOUCH_SECONDS = 60

# Shown to residents wherever a phone line helps (the city service hotline by default).
GONGZHI_HOTLINE = os.environ.get("GONGZHI_HOTLINE", "12345")

# Until a case is classified, it must be answered within this many hours (12345 practice:
# online submissions within 2 h); once classified, its category's limit applies.
GONGZHI_RESPONSE_HOURS = int(os.environ.get("GONGZHI_RESPONSE_HOURS", "2"))

# Open311: the jurisdiction_id callers must send (optional; one jurisdiction per install).
GONGZHI_OPEN311_JURISDICTION = os.environ.get("GONGZHI_OPEN311_JURISDICTION") or None

# Cases not rated this many days after they are resolved are archived as unrated.
GONGZHI_RATING_DAYS = int(os.environ.get("GONGZHI_RATING_DAYS", "7"))
# Volunteering: a service order nobody takes within this many hours is flagged to staff;
# a time-bank account holds at most this many units (Nanjing's cap is 1,500 hours).
GONGZHI_ORDER_TAKE_HOURS = int(os.environ.get("GONGZHI_ORDER_TAKE_HOURS", "24"))
GONGZHI_TIME_BANK_CAP = int(os.environ.get("GONGZHI_TIME_BANK_CAP", "1500"))
# Renewal: compounds built before this year are old compounds (老旧小区: before the end of
# 2000); some cities extend it.
GONGZHI_RENEWAL_BUILT_BEFORE = int(os.environ.get("GONGZHI_RENEWAL_BUILT_BEFORE", "2001"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request without it
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "uploads"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Not the manifest variant: pages must render in tests without collectstatic.
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Only behind a reverse proxy that sets it: otherwise any client could forge its address.
GONGZHI_TRUST_X_FORWARDED_FOR = _env_bool("GONGZHI_TRUST_X_FORWARDED_FOR", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "gongzhi": {"handlers": ["console"], "level": os.environ.get("GONGZHI_LOG", "INFO")},
    },
}
