-- AlterEnum
ALTER TYPE "RegistryKind" ADD VALUE 'ECR_PUBLIC';
