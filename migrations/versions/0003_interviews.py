"""interviews: quizzes, candidates, attempts, responses, grades, overrides, idempotency

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 12:22:19.674535
"""

import sqlalchemy as sa
from alembic import op

import quizsvc.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", quizsvc.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_idempotency_records_scope_key")),
    )
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotency_records_created_at"), ["created_at"], unique=False)

    op.create_table(
        "candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("created_at", quizsvc.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_candidates_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidates")),
        sa.UniqueConstraint("organisation_id", "external_id", name=op.f("uq_candidates_organisation_id_external_id")),
    )
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidates_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "quizzes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("selection", sa.String(length=10), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=True),
        sa.Column("time_limit_minutes", sa.Integer(), nullable=True),
        sa.Column("pass_mark", sa.Integer(), nullable=False),
        sa.Column("feedback_policy", sa.String(length=10), nullable=False),
        sa.Column("feedback_timing", sa.String(length=20), nullable=False),
        sa.Column("link_valid_hours", sa.Integer(), nullable=False),
        sa.Column("created_at", quizsvc.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("archived_at", quizsvc.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("feedback_policy IN ('mock', 'hiring')", name=op.f("ck_quizzes_feedback_policy")),
        sa.CheckConstraint("feedback_timing IN ('after_answer', 'at_end')", name=op.f("ck_quizzes_feedback_timing")),
        sa.CheckConstraint("selection IN ('fixed', 'rule')", name=op.f("ck_quizzes_selection")),
        sa.CheckConstraint("pass_mark >= 0 AND pass_mark <= 100", name=op.f("ck_quizzes_pass_mark")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_quizzes_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quizzes")),
    )
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quizzes_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("created_at", quizsvc.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", quizsvc.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", quizsvc.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deadline", quizsvc.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", quizsvc.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("auto_submitted", sa.Boolean(), nullable=False),
        sa.Column("graded_at", quizsvc.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", quizsvc.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_key_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('invited', 'started', 'submitted', 'graded', 'expired', 'cancelled')",
            name=op.f("ck_attempts_status"),
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_attempts_candidate_id_candidates"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_key_id"],
            ["api_keys.id"],
            name=op.f("fk_attempts_created_by_key_id_api_keys"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_attempts_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["quiz_id"], ["quizzes.id"], name=op.f("fk_attempts_quiz_id_quizzes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_attempts_token_hash")),
    )
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attempts_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attempts_deadline"), ["deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_attempts_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attempts_quiz_id"), ["quiz_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attempts_status"), ["status"], unique=False)

    op.create_table(
        "quiz_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_quiz_questions_question_id_questions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["quiz_id"], ["quizzes.id"], name=op.f("fk_quiz_questions_quiz_id_quizzes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_questions")),
        sa.UniqueConstraint("quiz_id", "position", name=op.f("uq_quiz_questions_quiz_id_position")),
        sa.UniqueConstraint("quiz_id", "question_id", name=op.f("uq_quiz_questions_quiz_id_question_id")),
    )
    with op.batch_alter_table("quiz_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quiz_questions_quiz_id"), ["quiz_id"], unique=False)

    op.create_table(
        "attempt_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_attempt_questions_attempt_id_attempts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["question_versions.id"], name=op.f("fk_attempt_questions_version_id_question_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt_questions")),
        sa.UniqueConstraint("attempt_id", "position", name=op.f("uq_attempt_questions_attempt_id_position")),
        sa.UniqueConstraint("attempt_id", "version_id", name=op.f("uq_attempt_questions_attempt_id_version_id")),
    )
    with op.batch_alter_table("attempt_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attempt_questions_attempt_id"), ["attempt_id"], unique=False)

    op.create_table(
        "responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_question_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("time_spent_seconds", sa.Integer(), nullable=False),
        sa.Column("saves", sa.Integer(), nullable=False),
        sa.Column("first_saved_at", quizsvc.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", quizsvc.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["attempt_question_id"],
            ["attempt_questions.id"],
            name=op.f("fk_responses_attempt_question_id_attempt_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responses")),
        sa.UniqueConstraint("attempt_question_id", name=op.f("uq_responses_attempt_question_id")),
    )
    op.create_table(
        "grades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=20), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("grader_version", sa.String(length=20), nullable=False),
        sa.Column("model_id", sa.String(length=200), nullable=False),
        sa.Column("params_digest", sa.String(length=64), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("created_at", quizsvc.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"], ["responses.id"], name=op.f("fk_grades_response_id_responses"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grades")),
    )
    with op.batch_alter_table("grades", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grades_response_id"), ["response_id"], unique=False)

    op.create_table(
        "grade_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("grade_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("reviewer", sa.String(length=100), nullable=False),
        sa.Column("created_at", quizsvc.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score >= 0 AND score <= 100", name=op.f("ck_grade_overrides_score")),
        sa.ForeignKeyConstraint(
            ["grade_id"], ["grades.id"], name=op.f("fk_grade_overrides_grade_id_grades"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["key_id"], ["api_keys.id"], name=op.f("fk_grade_overrides_key_id_api_keys"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["response_id"], ["responses.id"], name=op.f("fk_grade_overrides_response_id_responses"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_overrides")),
    )
    with op.batch_alter_table("grade_overrides", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grade_overrides_response_id"), ["response_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("grade_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grade_overrides_response_id"))

    op.drop_table("grade_overrides")
    with op.batch_alter_table("grades", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grades_response_id"))

    op.drop_table("grades")
    op.drop_table("responses")
    with op.batch_alter_table("attempt_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attempt_questions_attempt_id"))

    op.drop_table("attempt_questions")
    with op.batch_alter_table("quiz_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quiz_questions_quiz_id"))

    op.drop_table("quiz_questions")
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attempts_status"))
        batch_op.drop_index(batch_op.f("ix_attempts_quiz_id"))
        batch_op.drop_index(batch_op.f("ix_attempts_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_attempts_deadline"))
        batch_op.drop_index(batch_op.f("ix_attempts_candidate_id"))

    op.drop_table("attempts")
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quizzes_organisation_id"))

    op.drop_table("quizzes")
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidates_organisation_id"))

    op.drop_table("candidates")
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_records_created_at"))

    op.drop_table("idempotency_records")
