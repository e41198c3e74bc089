"""Queue (or run with --now) the daily lending jobs: overdue notices, homeroom teachers'
class lists, hold shelf expiry, loan history anonymisation. Run once a day from cron or a systemd timer."""

from django.core.management.base import BaseCommand

from library.circulation import tasks


class Command(BaseCommand):
    help = (
        "Nhắc sách quá hạn, gửi danh sách cho giáo viên chủ nhiệm, hết hạn giữ sách đặt trước, "
        "ẩn danh lịch sử mượn."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="chạy ngay, không qua hàng đợi")

    def handle(self, *args, now=False, **options):
        jobs = [
            tasks.holds_expire_daily,
            tasks.overdue_notices_daily,
            tasks.homeroom_overdue_lists_daily,
            tasks.loan_history_anonymise_daily,
        ]
        if now:
            counts = [job.call() for job in jobs]
            self.stdout.write(
                f"OK: {counts[0]} đặt trước hết hạn, {counts[1]} thư nhắc, "
                f"{counts[2]} thư cho giáo viên chủ nhiệm, {counts[3]} lượt mượn ẩn danh"
            )
        else:
            for job in jobs:
                job.enqueue()
            self.stdout.write(f"OK: đã xếp {len(jobs)} việc hằng ngày vào hàng đợi")
