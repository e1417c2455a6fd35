-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "rooms" (
    "code" TEXT NOT NULL,
    "host_participant_id" TEXT NOT NULL,
    "host_name" TEXT NOT NULL,
    "guest_participant_id" TEXT,
    "guest_name" TEXT,
    "host_ready" BOOLEAN NOT NULL DEFAULT false,
    "guest_ready" BOOLEAN NOT NULL DEFAULT false,
    "host_file_count" INTEGER NOT NULL DEFAULT 0,
    "guest_file_count" INTEGER NOT NULL DEFAULT 0,
    "host_total_bytes" BIGINT NOT NULL DEFAULT 0,
    "guest_total_bytes" BIGINT NOT NULL DEFAULT 0,
    "host_screen_share_active" BOOLEAN NOT NULL DEFAULT false,
    "guest_screen_share_active" BOOLEAN NOT NULL DEFAULT false,
    "host_chat_active" BOOLEAN NOT NULL DEFAULT false,
    "guest_chat_active" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "rooms_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "multiparty_rooms" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "password_hash" TEXT,
    "guest_limit" INTEGER NOT NULL,
    "is_public" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_active_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "multiparty_rooms_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "uploaded_files" (
    "id" SERIAL NOT NULL,
    "file_key" TEXT NOT NULL,
    "file_url" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,
    "file_size" BIGINT NOT NULL DEFAULT 0,
    "storage" TEXT NOT NULL DEFAULT 'local',
    "uploaded_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "uploaded_files_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "rooms_expires_at_idx" ON "rooms"("expires_at");

-- CreateIndex
CREATE INDEX "multiparty_rooms_last_active_at_idx" ON "multiparty_rooms"("last_active_at");

-- CreateIndex
CREATE INDEX "multiparty_rooms_is_public_idx" ON "multiparty_rooms"("is_public");

-- CreateIndex
CREATE UNIQUE INDEX "uploaded_files_file_key_key" ON "uploaded_files"("file_key");

-- CreateIndex
CREATE INDEX "uploaded_files_uploaded_at_idx" ON "uploaded_files"("uploaded_at");

