"""gongzhi demo: setup-demo, then the production server on 127.0.0.1:8000."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from gongzhi.core.management.commands.serve import add_server_arguments, run_server


class Command(BaseCommand):
    help = "载入演示数据（已载入则不重复）、列出登录账号，然后启动服务"

    def add_arguments(self, parser):
        add_server_arguments(parser)

    def handle(self, *args, host: str, port: int, workers: int | None, **options):
        call_command("setup_demo", stdout=self.stdout, stderr=self.stderr)
        run_server(host=host, port=port, workers=workers, stdout=self.stdout)
