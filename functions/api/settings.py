"""What the API function needs besides its tables (marketing.store.table_meta checks those)."""

from marketing.config import EmailSettings
from marketing.one_time_schedules import ScheduleSettings


class ApiSettings(EmailSettings, ScheduleSettings):
    """Sends test emails and schedules campaigns."""
