"""What the API function needs besides its tables (marketing.store.table_meta checks those)."""

from marketing.aws.one_time_schedules import ScheduleSettings
from marketing.config import EmailSettings


class ApiSettings(EmailSettings, ScheduleSettings):
    """Sends test emails and schedules campaigns."""
