import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
application = get_wsgi_application()
# What is loaded by now lives as long as the process: keep the collector from scanning it
# again on every full collection (a long list page makes several).
gc.freeze()
